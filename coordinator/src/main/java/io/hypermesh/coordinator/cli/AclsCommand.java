package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.bus.BusEndpoints;
import io.hypermesh.schemas.topics.BusAcls;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

@Command(name = "acls", mixinStandardHelpOptions = true,
        description = "The ACLs that give each part of the bus its own topics, groups and transactional ids only: printed as "
                + "kafka-acls.sh commands, or created on the cluster with --apply (as a principal allowed to, e.g. a super user's "
                        + "--kafka-config).")
final class AclsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    EndpointOptions endpoints;

    @Option(names = "--application-id", defaultValue = StreamsSettings.DEFAULT_APPLICATION_ID,
            description = "The folds' application id; their internal topics, group and transactional ids are under it (default: "
                    + "${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--apply", description = "Create the ACLs on the cluster (existing ones are kept) instead of printing them.")
    boolean apply;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<AclBinding> acls = BusAcls.all(applicationId);
        if (!apply) {
            acls.forEach(binding -> out.println(asKafkaAclsCommand(binding)));
            out.flush();
            return 0;
        }
        BusEndpoints bus = endpoints.resolve();
        try (Admin admin = Admin.create(endpoints.kafka(bus).clientConfig())) {
            admin.createAcls(acls).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            spec.commandLine().getErr().println("the ACLs were not created on " + bus.bootstrapServers() + ": "
                    + e.getCause().getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
        out.println("created " + acls.size() + " ACL bindings for " + BusAcls.PRINCIPALS.size() + " principals on "
                + bus.bootstrapServers());
        out.flush();
        return 0;
    }

    /** The same binding as Kafka's own tool takes it, for whoever administers the cluster with it. */
    static String asKafkaAclsCommand(AclBinding binding) {
        ResourcePattern resource = binding.pattern();
        String kind = switch (resource.resourceType()) {
            case TOPIC -> "--topic " + resource.name();
            case GROUP -> "--group " + resource.name();
            case TRANSACTIONAL_ID -> "--transactional-id " + resource.name();
            case CLUSTER -> "--cluster";
            default -> throw new IllegalArgumentException("no kafka-acls.sh flag for " + resource.resourceType());
        };
        String operation = camel(binding.entry().operation().name());
        return "kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config \"$ADMIN_CONFIG\" --add --allow-principal "
                + binding.entry().principal() + " --operation " + operation + " " + kind
                + (resource.patternType() == PatternType.PREFIXED ? " --resource-pattern-type prefixed" : "");
    }

    /** DESCRIBE_CONFIGS to DescribeConfigs, as kafka-acls.sh names operations. */
    private static String camel(String constant) {
        StringBuilder name = new StringBuilder();
        for (String part : constant.split("_")) {
            name.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return name.toString();
    }
}
