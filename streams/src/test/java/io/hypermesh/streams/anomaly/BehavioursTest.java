package io.hypermesh.streams.anomaly;

import io.hypermesh.events.security.SecurityAlert;
import io.hypermesh.events.security.SecurityEngine;
import io.hypermesh.events.security.Severity;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BehavioursTest {
    static SecurityAlert falco(Map<String, String> fields) {
        return new SecurityAlert(SecurityEngine.FALCO, "rule", Severity.NOTICE, "out", "node-1", null, null, fields);
    }

    @Test
    void addressesAreClassedNotKept() {
        assertEquals("loopback", Behaviours.addressClass("127.0.0.1"));
        assertEquals("private", Behaviours.addressClass("10.4.0.1"));
        assertEquals("private", Behaviours.addressClass("172.31.255.1"));
        assertEquals("public", Behaviours.addressClass("172.32.0.1"));
        assertEquals("private", Behaviours.addressClass("192.168.1.1"));
        assertEquals("link-local", Behaviours.addressClass("169.254.169.254"));
        assertEquals("multicast", Behaviours.addressClass("239.1.1.1"));
        assertEquals("public", Behaviours.addressClass("93.184.216.34"));
        assertEquals("loopback", Behaviours.addressClass("::1"));
        assertEquals("private", Behaviours.addressClass("fd00::1"));
        assertEquals("link-local", Behaviours.addressClass("fe80::1"));
        assertEquals("public", Behaviours.addressClass("2001:db8::1"));
        assertEquals("unknown", Behaviours.addressClass("example.com"));
        assertEquals("unknown", Behaviours.addressClass(null));
    }

    @Test
    void writesAreKeptByTheirFirstTwoPathComponents() {
        assertEquals("write /etc/ssh", Behaviours.write("/etc/ssh/sshd_config"));
        assertEquals("write /tmp", Behaviours.write("/tmp/x"));
        assertEquals("write /var/log", Behaviours.write("/var//log/app/a.log"));
        assertEquals("write /", Behaviours.write("/"));
    }

    @Test
    void theWorkloadIsTheImageWithoutItsTagElseTheContainerElseTheHost() {
        assertEquals("registry:5000/team/app", Behaviours.of(falco(Map.of("container.image.repository", "registry:5000/team/app:1.2",
                "evt.type", "execve", "proc.exepath", "/app"))).workload());
        assertEquals("nginx", Behaviours.of(falco(Map.of("container.image.repository", "nginx@sha256:abc"))).workload());
        assertEquals("payments-1", Behaviours.of(falco(Map.of("container.name", "payments-1"))).workload());
        assertEquals("node-1", Behaviours.of(falco(Map.of())).workload());
    }

    @Test
    void onlyExecsConnectsAndWritesAreBehaviours() {
        assertEquals(List.of("exec /usr/bin/curl <- /bin/sh"), Behaviours.of(falco(Map.of("evt.type", "execve", "proc.exepath",
                "/usr/bin/curl", "proc.pexepath", "/bin/sh"))).behaviours());
        assertEquals(List.of("connect 443/public"), Behaviours.of(falco(Map.of("evt.type", "connect", "fd.sip", "1.1.1.1",
                "fd.sport", "443"))).behaviours());
        assertEquals(List.of("write /etc/cron.d"), Behaviours.of(falco(Map.of("evt.type", "openat", "fd.name", "/etc/cron.d/x",
                "evt.arg.flags", "O_WRONLY|O_CREAT"))).behaviours());
        assertEquals(List.of(), Behaviours.of(falco(Map.of("evt.type", "openat", "fd.name", "/etc/passwd",
                "evt.arg.flags", "O_RDONLY"))).behaviours(), "a read is no write");
        assertEquals(List.of(), Behaviours.of(falco(Map.of("evt.type", "ptrace"))).behaviours());
    }
}
