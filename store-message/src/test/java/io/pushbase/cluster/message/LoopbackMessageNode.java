package io.pushbase.cluster.message;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.pushbase.cluster.NodeRegistration;
import io.pushbase.schema.ZkPaths;
import io.pushbase.store.MessageStore;
import io.pushbase.store.app.MessageApplication;
import io.pushbase.store.grpc.MessageStoreService;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;

/**
 * A real message node for client tests: a {@code MessageStoreService} gRPC server on a loopback
 * port over the given store, registered in ZooKeeper exactly as a node registers, counting the
 * calls it receives per gRPC method. The caller stops the server and the registration.
 *
 * <p>A fixture of the {@code cluster/message} client tests, kept in store-message's test tree with
 * them because it runs store-message's own service (see {@link MessageNodeClientIT}).
 */
record LoopbackMessageNode(
        Server server, NodeRegistration registration, Map<String, AtomicInteger> callsByMethod) {

    static LoopbackMessageNode start(
            CuratorFramework zk, ZkPaths paths, String name, int weight, MessageStore backing)
            throws Exception {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        ServerInterceptor countCalls =
                new ServerInterceptor() {
                    @Override
                    public <Q, A> ServerCall.Listener<Q> interceptCall(
                            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                        calls.computeIfAbsent(
                                        call.getMethodDescriptor().getBareMethodName(),
                                        m -> new AtomicInteger())
                                .incrementAndGet();
                        return next.startCall(call, headers);
                    }
                };
        Server server =
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                        .addService(
                                ServerInterceptors.intercept(
                                        new MessageStoreService(backing, name), countCalls))
                        .build()
                        .start();
        NodeRegistration registration =
                MessageApplication.registration(
                        zk, paths, "127.0.0.1", server.getPort(), name, weight);
        registration.start();
        return new LoopbackMessageNode(server, registration, calls);
    }

    int calls(String method) {
        AtomicInteger n = callsByMethod.get(method);
        return n == null ? 0 : n.get();
    }
}
