package io.hypermesh.coordinator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hypermesh.coordinator.bus.QueryApiClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the platform's phases and components from the lifecycle fold.")
final class StatusCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    EndpointOptions endpoints;

    private io.hypermesh.schemas.kafka.TlsIdentity tls;

    @Override
    public Integer call() throws Exception {
        var bus = endpoints.resolve();
        String api = bus.apiUrl();
        tls = endpoints.kafka(bus).tls();
        PrintWriter out = spec.commandLine().getOut();
        out.println("PHASE  TOTAL  BY STATE");
        for (JsonNode p : get(api, "/v1/hypermesh/lifecycle/phases")) {
            out.printf("%-6d %-6d %s%n", p.get("Phase").asInt(), p.get("Total").asInt(), p.get("ByState"));
        }
        out.println();
        out.printf("%-28s %-6s %-12s %s%n", "COMPONENT", "PHASE", "STATE", "REASON");
        for (JsonNode c : get(api, "/v1/hypermesh/lifecycle/components")) {
            out.printf("%-28s %-6d %-12s %s%n", c.get("ComponentID").asText(), c.get("Phase").asInt(), c.get("State").asText(),
                    c.path("Reason").isNull() ? "" : c.path("Reason").asText(""));
        }
        out.flush();
        return 0;
    }

    private JsonNode get(String api, String path) throws Exception {
        return new ObjectMapper().readTree(QueryApiClient.get(api + path, tls));
    }
}
