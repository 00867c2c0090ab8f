package io.hypermesh.streams.anomaly;

import io.hypermesh.events.security.SecurityAlert;
import io.hypermesh.events.security.SecurityEngine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a Falco or Tetragon event says a workload did, as behaviours a baseline can learn:
 * {@code exec <path> <- <parent>}, {@code connect <port>/<address class>} and {@code write <path prefix>}.
 * The workload is the container image (without its tag), else the container, else the host.
 */
final class Behaviours {
    /** What a workload did, and which workload. */
    record Seen(String workload, List<String> behaviours) {
    }

    private Behaviours() {
    }

    static Seen of(SecurityAlert alert) {
        Map<String, String> f = alert.getFields();
        List<String> found = new ArrayList<>();
        String workload;
        if (alert.getEngine() == SecurityEngine.TETRAGON) {
            workload = firstOf(image(f.get("image")), alert.getContainerId(), alert.getHost());
            String kind = f.getOrDefault("tetragon.event", "");
            String function = f.getOrDefault("function", "");
            if (kind.equals("process_exec") && f.get("process.binary") != null) {
                found.add(exec(f.get("process.binary"), f.get("parent.binary")));
            } else if (kind.equals("process_kprobe") && function.contains("connect") && f.get("sock.dport") != null) {
                found.add(connect(f.get("sock.dport"), f.get("sock.daddr")));
            } else if (kind.equals("process_kprobe") && f.get("file.path") != null && writes(function, f.get("file.mask"))) {
                found.add(write(f.get("file.path")));
            }
        } else {
            workload = firstOf(image(f.get("container.image.repository")), f.get("container.name"), alert.getContainerId(),
                    alert.getHost());
            String type = f.getOrDefault("evt.type", "");
            if (type.startsWith("execve") && firstOf(f.get("proc.exepath"), f.get("proc.name")) != null) {
                found.add(exec(firstOf(f.get("proc.exepath"), f.get("proc.name")), firstOf(f.get("proc.pexepath"), f.get("proc.pname"))));
            } else if (type.equals("connect") && firstOf(f.get("fd.sport"), f.get("fd.rport")) != null) {
                found.add(connect(firstOf(f.get("fd.sport"), f.get("fd.rport")), firstOf(f.get("fd.sip"), f.get("fd.rip"))));
            } else if (type.startsWith("open") && f.get("fd.name") != null && ("true".equals(f.get("evt.is_open_write"))
                    || f.getOrDefault("evt.arg.flags", "").matches(".*O_(WRONLY|RDWR|CREAT).*"))) {
                found.add(write(f.get("fd.name")));
            }
        }
        return new Seen(workload == null ? "unknown" : workload, found);
    }

    static String exec(String path, String parent) {
        return "exec " + path + " <- " + (parent == null ? "?" : parent);
    }

    static String connect(String port, String address) {
        return "connect " + port + "/" + addressClass(address);
    }

    /** The first two components of the path: {@code /etc/ssh/sshd_config} is {@code /etc/ssh}. */
    static String write(String path) {
        String[] parts = path.split("/");
        StringBuilder prefix = new StringBuilder();
        for (int i = 0, taken = 0; i < parts.length - 1 && taken < 2; i++) {
            if (!parts[i].isEmpty()) {
                prefix.append('/').append(parts[i]);
                taken++;
            }
        }
        return "write " + (prefix.length() == 0 ? "/" : prefix.toString());
    }

    private static boolean writes(String function, String mask) {
        if (function.contains("write")) {
            return true;
        }
        try {
            return mask != null && (Integer.parseInt(mask) & 2) != 0; // MAY_WRITE
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** loopback, private, link-local, multicast or public; unknown when it is not an address literal. */
    static String addressClass(String address) {
        if (address == null || address.isBlank()) {
            return "unknown";
        }
        String a = address.toLowerCase(Locale.ROOT);
        if (a.contains(":")) {
            return a.equals("::1") ? "loopback" : a.startsWith("fe8") || a.startsWith("fe9") || a.startsWith("fea") || a.startsWith("feb")
                    ? "link-local" : a.startsWith("fc") || a.startsWith("fd") ? "private" : a.startsWith("ff") ? "multicast" : "public";
        }
        String[] octets = a.split("\\.");
        if (octets.length != 4) {
            return "unknown";
        }
        int first;
        int second;
        try {
            first = Integer.parseInt(octets[0]);
            second = Integer.parseInt(octets[1]);
        } catch (NumberFormatException e) {
            return "unknown";
        }
        if (first == 127) {
            return "loopback";
        }
        if (first == 10 || (first == 172 && second >= 16 && second <= 31) || (first == 192 && second == 168)) {
            return "private";
        }
        if (first == 169 && second == 254) {
            return "link-local";
        }
        return first >= 224 && first <= 239 ? "multicast" : "public";
    }

    private static String image(String image) {
        if (image == null || image.isBlank()) {
            return null;
        }
        String name = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int colon = name.lastIndexOf(':');
        return colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
    }

    private static String firstOf(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
