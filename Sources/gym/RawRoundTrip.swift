import Foundation
import ZeroMQ

/// A bare libzmq echo server and client over tcp loopback, with CartPole-step-sized messages:
/// the floor the daemon's latency is compared with.
final class RawRoundTrip: @unchecked Sendable {
    private let context: Context
    private let client: Socket
    private let endpoint: String
    private let done = DispatchSemaphore(value: 0)
    /// Sizes of a serialized one-env CartPole step request and reply.
    static let requestBytes = 36
    static let replyBytes = 66

    init() throws {
        context = try Context()
        let server = try Socket(context, .router)
        try server.bind("tcp://127.0.0.1:*")
        endpoint = try server.lastEndpoint
        client = try Socket(context, .dealer)
        try client.setReceiveTimeout(milliseconds: 5000)
        try client.connect(endpoint)
        let reply = [UInt8](repeating: 7, count: Self.replyBytes)
        let thread = Thread { [done] in
            while let frames = try? server.receiveMessage(), let identity = frames.first {
                try? server.send(frames: [identity, reply])
            }
            server.close()
            done.signal()
        }
        thread.start()
    }

    /// Mean microseconds per round trip over `seconds`.
    func measure(seconds: Double) throws -> Double {
        let request = [UInt8](repeating: 3, count: Self.requestBytes)
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = start + UInt64(seconds * 1e9)
        var trips = 0
        var now = start
        repeat {
            for _ in 0..<32 {
                try client.send(request)
                _ = try client.receiveMessage()
            }
            trips += 32
            now = DispatchTime.now().uptimeNanoseconds
        } while now < deadline
        return Double(now - start) / 1e3 / Double(trips)
    }

    func stop() {
        client.close()
        context.shutdown()
        done.wait()
    }
}
