package io.hypermesh.bench;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's hostile but legal clients, each from a loopback address of its own and each paced by
 * sleeping: the eight repros of issue 28 and its smaller ones, over and over. They count what
 * they did; whether they got their way is for the normal clients' latencies and the bus's RSS to say.
 */
final class HostileClients implements AutoCloseable {
    private final String apiHost;
    private final int apiPort;
    private final int registryPort;
    private final String bootstrapServers;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;
    final Map<String, AtomicLong> done = new ConcurrentHashMap<>();

    HostileClients(String apiHost, int apiPort, int registryPort, String bootstrapServers) {
        this.apiHost = apiHost;
        this.apiPort = apiPort;
        this.registryPort = registryPort;
        this.bootstrapServers = bootstrapServers;
    }

    void start(String bigService) {
        String redos = URLEncoder.encode("Service.ID matches \"(.*a){10}$\"", StandardCharsets.UTF_8);
        String deep = "(".repeat(3_000) + "Service.ID%20==%20x" + ")".repeat(3_000);
        every("regex", "127.0.0.3", Duration.ofSeconds(2), from -> request(from, apiPort, "GET", "/v1/health/service/redos?filter="
                + redos, null, true));
        every("deep-filter", "127.0.0.3", Duration.ofSeconds(2), from -> request(from, apiPort, "GET",
                "/v1/health/service/redos?filter=" + deep, null, true));
        every("unread-big-reads", "127.0.0.2", Duration.ofSeconds(20), from -> unread(from, 150, "/v1/health/service/" + bigService,
                Duration.ofSeconds(15)));
        every("unread-event-streams", "127.0.0.5", Duration.ofSeconds(30), from -> unread(from, 50, "/v1/hypermesh/service/"
                + bigService + "?stream", Duration.ofSeconds(25)));
        every("watch-hog", "127.0.0.6", Duration.ofSeconds(30), from -> unread(from, 300,
                "/v1/catalog/services?index=999999999&wait=25s", Duration.ofSeconds(25)));
        every("connection-flood", "127.0.0.4", Duration.ofSeconds(60), from -> flood(from, 5_000, Duration.ofSeconds(10)));
        every("bad-schemas", "127.0.0.7", Duration.ofSeconds(5), from -> {
            request(from, registryPort, "POST", "/subjects/soak-w-value/versions",
                    "{\"schemaType\":\"JSON\",\"schema\":\"{\\\"type\\\":\\\"number\\\",\\\"maximum\\\":1e400}\"}", true);
            request(from, registryPort, "POST", "/subjects/soak-p-value/versions",
                    "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\"; message M { map<string, map<string,string>> m "
                    + "= 1; }\"}", true);
        });
        every("open-transaction", "127.0.0.8", Duration.ofSeconds(120), from -> openTransaction(Duration.ofSeconds(15)));
    }

    private interface Action {
        void run(String from) throws Exception;
    }

    private void every(String name, String from, Duration pace, Action action) {
        done.put(name, new AtomicLong());
        Thread thread = new Thread(() -> {
            while (running) {
                try {
                    action.run(from);
                    done.get(name).incrementAndGet();
                } catch (Exception e) {
                    // refused, reset or timed out: what a hostile client gets is not measured
                }
                sleep(pace);
            }
        }, "hostile-" + name);
        thread.setDaemon(true);
        thread.start();
        threads.add(thread);
    }

    /** One request over a socket bound to {@code from}; the answer read only when asked. */
    private void request(String from, int port, String method, String path, String body, boolean read) throws IOException {
        try (Socket s = connect(from, port)) {
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write((method + " " + path
                    + " HTTP/1.1\r\nHost: soak\r\nConnection: close\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().write(bytes);
            if (read) {
                s.setSoTimeout(30_000);
                s.getInputStream().readAllBytes();
            }
        }
    }

    /** Asks {@code count} times for {@code path} and reads nothing for {@code hold}. */
    private void unread(String from, int count, String path, Duration hold) throws IOException {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < count && running; i++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(4096);
                s.bind(new InetSocketAddress(from, 0));
                s.connect(new InetSocketAddress(apiHost, apiPort), 2_000);
                String sep = path.contains("?") ? "&" : "?";
                s.getOutputStream().write(("GET " + path + sep + "n=" + i
                        + " HTTP/1.1\r\nHost: soak\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                open.add(s);
            }
            sleep(hold);
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    private void flood(String from, int count, Duration hold) throws IOException {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < count && running; i++) {
                try {
                    open.add(connect(from, apiPort));
                } catch (IOException refused) {
                    // the listener's bound at work
                }
            }
            sleep(hold);
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    private Socket connect(String from, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress(apiHost, port), 2_000);
        return s;
    }

    /** A transaction on every partition of the registry topic, left open as long as the broker lets it. */
    private void openTransaction(Duration hold) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "soak-hostile", ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) hold.toMillis());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            int partitions = producer.partitionsFor("hypermesh.registry").size();
            for (int p = 0; p < partitions; p++) {
                producer.send(new ProducerRecord<>("hypermesh.registry", p, new byte[]{1}, new byte[]{0, 0, 0, 0, 1}));
            }
            producer.flush();
            sleep(hold.plusSeconds(5)); // never committed: the broker aborts it
            producer.close(Duration.ZERO);
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        threads.forEach(Thread::interrupt);
    }
}
