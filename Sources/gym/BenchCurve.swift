import GymClient
import GymServer
import ZeroMQ

extension Gym.Bench {
    /// `gym bench --curve`: a second embedded daemon with CURVE on (a fresh key pair, the client
    /// presenting the same key), measured in the same repeats as the plain one.
    final class CurveSide {
        let daemon: Daemon
        let single: RemoteVectorEnv
        let batches: [RemoteVectorEnv]
        var stepRTT: [Double] = []
        var vector: [Int: [Double]] = [:]

        init(sizes: [Int], spinUs: Double, workerSpinUs: Double) throws {
            var settings = CurveSettings()
            settings.keys = try CurveKeyPair.generate()
            var configuration = DaemonConfiguration(bind: "tcp://127.0.0.1:*", registry: BuiltinEnvironments.registry())
            configuration.spinMicroseconds = spinUs
            configuration.workerSpinMicroseconds = workerSpinUs
            configuration.security = settings
            daemon = try Daemon(configuration: configuration)
            try daemon.start()
            let connection = try GymConnection(endpoint: daemon.endpoint, clientName: "gym bench --curve", security: settings)
            single = try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: 1, seed: 0)
            _ = try single.reset()
            batches = try sizes.map { try RemoteVectorEnv(connection: connection, id: "CartPole-v1", count: $0, seed: 0) }
            for batch in batches { _ = try batch.reset() }
        }

        /// One repeat: the step round trip and every batch's throughput.
        func measure(seconds: Double) throws {
            stepRTT.append(try Gym.Bench.stepLatency(single, seconds: seconds))
            for batch in batches { vector[batch.count, default: []].append(try Gym.Bench.throughput(batch, seconds: seconds).rate) }
        }

        /// The summary's fields, beside the plain figures they are compared with.
        func fields(sizes: [Int], plainRTT: Double, plainVector: [Int: Double]) -> [(String, JSONText)] {
            let rtt = Gym.Bench.median(stepRTT)
            let throughput = sizes.map { (size: $0, value: Gym.Bench.median(vector[$0] ?? [])) }
            let overhead = throughput.map { item in
                (String(item.size), JSONText.double(((1 - item.value / (plainVector[item.size] ?? .nan)) * 1000).rounded() / 10))
            }
            return [
                ("curve_step_rtt_us", .double(rtt)),
                ("curve_step_rtt_overhead_pct", .double(((rtt / plainRTT - 1) * 1000).rounded() / 10)),
                ("curve_vector_steps_per_s", .object(throughput.map { (String($0.size), .double($0.value)) })),
                ("curve_throughput_overhead_pct", .object(overhead)),
            ]
        }

        func stop() { daemon.shutdown() }
    }
}
