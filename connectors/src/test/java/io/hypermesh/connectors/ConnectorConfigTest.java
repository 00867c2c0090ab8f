package io.hypermesh.connectors;

import io.hypermesh.connectors.influx.InfluxSinkConnector;
import io.hypermesh.connectors.prometheus.PrometheusSinkConnector;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.sink.SinkConnector;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectorConfigTest {
    static Map<String, String> errors(Config config) {
        return config.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
                .collect(Collectors.toMap(ConfigValue::name, v -> String.join("; ", v.errorMessages())));
    }

    @Test
    void badSettingsAreNamedByTheWorkersValidation() {
        Map<String, String> prometheus = errors(new PrometheusSinkConnector().validate(Map.of("prometheus.listen.port", "70000")));
        assertTrue(prometheus.get("prometheus.listen.port").contains("Value must be no more than 65535"), prometheus.toString());
        assertTrue(prometheus.get("schema.registry.url").contains("Missing required configuration"), prometheus.toString());

        Map<String, String> influx = errors(new InfluxSinkConnector().validate(Map.of("influx.url", "ftp://db:21", "influx.database", "",
                "schema.registry.url", "http://registry:8081")));
        assertTrue(influx.get("influx.url").contains("must be an http(s)://host:port URL"), influx.toString());
        assertTrue(influx.containsKey("influx.database"), influx.toString());
        assertTrue(!influx.containsKey("schema.registry.url"), influx.toString());
    }

    @Test
    void bothConnectorsAreServiceRegisteredAndTheScrapeEndpointHasOneTask() {
        Set<String> found = ServiceLoader.load(SinkConnector.class).stream().map(p -> p.type().getName()).collect(Collectors.toSet());
        assertEquals(Set.of(PrometheusSinkConnector.class.getName(), InfluxSinkConnector.class.getName()), found);
        PrometheusSinkConnector connector = new PrometheusSinkConnector();
        connector.start(Map.of("schema.registry.url", "http://registry:8081"));
        assertEquals(1, connector.taskConfigs(4).size());
    }
}
