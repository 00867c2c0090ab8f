package io.hypermesh.connectors;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.sink.SinkConnector;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** What both sink connectors share: settings checked at start, handed unchanged to their tasks. */
public abstract class SampleConnector extends SinkConnector {
    private final ConfigDef config;
    private final Function<Map<String, String>, AbstractConfig> parse;
    private final int taskLimit;
    private Map<String, String> props;

    protected SampleConnector(ConfigDef config, Function<Map<String, String>, AbstractConfig> parse, int taskLimit) {
        this.config = config;
        this.parse = parse;
        this.taskLimit = taskLimit;
    }

    @Override
    public void start(Map<String, String> props) {
        parse.apply(props); // refuse bad settings now, with the key that is wrong
        this.props = Map.copyOf(props);
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return Collections.nCopies(Math.min(maxTasks, taskLimit), props);
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return config;
    }

    @Override
    public String version() {
        return Versions.VERSION;
    }
}
