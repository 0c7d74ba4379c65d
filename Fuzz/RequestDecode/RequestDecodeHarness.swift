// A libFuzzer harness for the daemon's request path without sockets: decode, route, run on a
// worker, encode the reply (issue 13, item 6). Built with `-D FUZZING -sanitize=fuzzer,address`
// it is a libFuzzer binary (see scripts/fuzz); built normally it replays the files it is
// given, so a corpus of past crashers runs as an ordinary program (Fuzz/Support).
import ClassicControl
import Foundation
import FuzzSupport
import GymCore
import GymProtocol
import GymServer

/// One fuzz input: a fresh daemon state holding one reset CartPole batch (handle 1) for the
/// client, then the input as one request frame from that client.
func runRequestInput(_ bytes: [UInt8]) {
    var registry = EnvRegistry()
    try? ClassicControl.register(into: &registry)
    let configuration = DaemonConfiguration(bind: "inproc://fuzz", workers: 1, maxEnvsPerClient: 64, registry: registry)
    let router = RequestRouter(configuration: configuration)
    let worker = EnvWorker(registry: registry)
    let client = ClientID([0, 1, 2, 3])
    func send(_ frames: [[UInt8]]) {
        switch router.route(client: client, frames: frames, now: 0) {
        case .reply(_, let response):
            _ = try? response.serializedBytes() as [UInt8]
        case .dispatch(_, let job):
            let completion = worker.execute(job)
            if let handle = completion.abandonedHandle { router.abandon(handle) }
        }
    }
    let make = try? Gym_V1_Request.with { $0.id = 1; $0.make = .with { $0.envID = "CartPole-v1"; $0.numEnvs = 2; $0.seed = 0 } }.serializedBytes() as [UInt8]
    let reset = try? Gym_V1_Request.with { $0.id = 2; $0.reset = .with { $0.handle = 1 } }.serializedBytes() as [UInt8]
    send([make ?? []])
    send([reset ?? []])
    send([bytes])
}

/// Well-formed requests of every kind against handle 1, the corpus a fuzzing run starts from.
func requestSeeds() throws -> [(String, [UInt8])] {
    let action = Gym_V1_Tensor(NDArray(dtype: .int64, shape: [2], values: [0, 1]))
    let bodies: [(String, Gym_V1_Request.OneOf_Body)] = [
        ("hello", .hello(.with { $0.protocolVersion = gymProtocolVersion })),
        ("list", .listEnvs(.init())),
        ("make", .make(.with { $0.envID = "Acrobot-v1"; $0.numEnvs = 3; $0.seed = 1; $0.kwargs = ["x": Gym_V1_Value(.number(1))] })),
        ("reset", .reset(.with { $0.handle = 1; $0.seeds = [1, 2]; $0.options = ["low": Gym_V1_Value(.number(-0.1)), "high": Gym_V1_Value(.number(0.1))] })),
        ("step", .step(.with { $0.handle = 1; $0.actions = [action] })),
        ("render", .render(.with { $0.handle = 1; $0.envIndex = 1 })),
        ("close", .close(.with { $0.handle = 1 })),
    ]
    return try bodies.map { name, body in (name, try Gym_V1_Request.with { $0.id = 7; $0.body = body }.serializedBytes()) }
}

@main
enum RequestDecodeHarness {
    static func main() throws { try FuzzHarness.main(seeds: requestSeeds, run: runRequestInput) }
}
