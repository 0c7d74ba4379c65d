import Foundation
import Testing
@testable import ZeroMQ

@Suite struct SocketTests {
    let context: Context
    init() throws { context = try Context() }

    @Test(arguments: ["inproc://socket-tests-rr", "tcp://127.0.0.1:*"])
    func routerDealerRoundTrip(endpoint: String) throws {
        let router = try Socket(context, .router)
        try router.bind(endpoint)
        let dealer = try Socket(context, .dealer)
        try dealer.setRoutingID(Array("client-1".utf8))
        try dealer.setReceiveTimeout(milliseconds: 2000)
        try router.setReceiveTimeout(milliseconds: 2000)
        try dealer.connect(try router.lastEndpoint)
        try dealer.send(frames: [[1, 2, 3], []])
        let received = try router.receiveMessage()
        #expect(received == [Array("client-1".utf8), [1, 2, 3], []])
        try router.send(frames: [received[0], [9]])
        #expect(try dealer.receiveMessage() == [[9]])
    }

    @Test func largeFramesArriveWhole() throws {
        let push = try Socket(context, .push)
        try push.bind("tcp://127.0.0.1:*")
        let pull = try Socket(context, .pull)
        try pull.setReceiveTimeout(milliseconds: 2000)
        try pull.connect(try push.lastEndpoint)
        // Far beyond the 256-byte buffers some bindings receive into.
        let big = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try push.send(frames: [big, [7]])
        let message = try pull.receiveMessage()
        #expect(message.count == 2)
        #expect(message[0] == big)
        #expect(message[1] == [7])
    }

    @Test func receiveTimeoutIsTyped() throws {
        let rep = try Socket(context, .dealer)
        try rep.bind("inproc://socket-tests-timeout")
        try rep.setReceiveTimeout(milliseconds: 50)
        let start = Date()
        #expect(throws: ZMQError.self) { try rep.receiveMessage() }
        do { _ = try rep.receiveMessage() } catch let error as ZMQError {
            #expect(error.code == .timedOut)
        }
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test func nonBlockingReceiveOnEmptySocketTimesOut() throws {
        let pull = try Socket(context, .pull)
        try pull.bind("inproc://socket-tests-dontwait")
        do {
            _ = try pull.receiveMessage(dontWait: true)
            Issue.record("expected an error")
        } catch let error as ZMQError {
            #expect(error.code == .timedOut)
        }
    }

    @Test func shutdownWakesBlockedReceiverWithTerminated() async throws {
        let local = try Context()
        let pull = try Socket(local, .pull)
        try pull.bind("inproc://socket-tests-term")
        let task = Task.detached { () -> ZMQError.Code? in
            do { _ = try pull.receiveMessage(); return nil } catch let error as ZMQError { return error.code } catch { return nil }
        }
        try await Task.sleep(nanoseconds: 50_000_000)
        local.shutdown()
        #expect(await task.value == .terminated)
        pull.close()
    }

    @Test func pubSubFiltersByPrefix() throws {
        let pub = try Socket(context, .pub)
        try pub.bind("inproc://socket-tests-pubsub")
        let sub = try Socket(context, .sub)
        try sub.setReceiveTimeout(milliseconds: 2000)
        try sub.subscribe(Array("a".utf8))
        try sub.connect("inproc://socket-tests-pubsub")
        // inproc subscriptions are processed on the publisher's next send; send until one lands.
        var got: [[UInt8]] = []
        for _ in 0..<200 {
            try pub.send(Array("b-skip".utf8))
            try pub.send(Array("a-keep".utf8))
            if let message = try? sub.receiveMessage(dontWait: true) { got = message; break }
            Thread.sleep(forTimeInterval: 0.005)
        }
        #expect(got == [Array("a-keep".utf8)])
    }

    @Test func reqRepAndStateErrors() throws {
        let rep = try Socket(context, .rep)
        try rep.bind("tcp://127.0.0.1:*")
        let req = try Socket(context, .req)
        try req.setReceiveTimeout(milliseconds: 2000)
        try rep.setReceiveTimeout(milliseconds: 2000)
        try req.connect(try rep.lastEndpoint)
        try req.send([42])
        do {
            try req.send([43])
            Issue.record("REQ must not send twice")
        } catch let error as ZMQError {
            #expect(error.code == .invalidState)
        }
        #expect(try rep.receiveMessage() == [[42]])
        try rep.send([43])
        #expect(try req.receiveMessage() == [[43]])
    }

    @Test func pollerReportsReadySocketsAndFileDescriptors() throws {
        let pair1 = try Socket(context, .pair), pair2 = try Socket(context, .pair)
        try pair1.bind("inproc://socket-tests-poll")
        try pair2.connect("inproc://socket-tests-poll")
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { Foundation.close(fds[0]); Foundation.close(fds[1]) }
        var poller = Poller()
        poller.add(pair2)
        poller.add(fileDescriptor: fds[0])
        #expect(try poller.poll(timeoutMilliseconds: 10) == [false, false])
        try pair1.send([1])
        #expect(try poller.poll(timeoutMilliseconds: 1000) == [true, false])
        _ = try pair2.receiveMessage()
        var byte: UInt8 = 1
        #expect(write(fds[1], &byte, 1) == 1)
        #expect(try poller.poll(timeoutMilliseconds: 1000) == [false, true])
    }

    @Test func maxMessageSizeDisconnectsOversizedSender() throws {
        let pull = try Socket(context, .pull)
        try pull.setMaxMessageSize(1000)
        try pull.setReceiveTimeout(milliseconds: 300)
        try pull.bind("tcp://127.0.0.1:*")
        let push = try Socket(context, .push)
        try push.connect(try pull.lastEndpoint)
        try push.send([UInt8](repeating: 1, count: 5000))
        #expect(throws: ZMQError.self) { try pull.receiveMessage() }
    }

    @Test func curveEncryptedRoundTrip() throws {
        let server = try Curve.keyPair(), client = try Curve.keyPair()
        #expect(server.publicKey.count == 40)
        let router = try Socket(context, .router)
        try router.setCurveServer(secretKey: server.secretKey)
        try router.setReceiveTimeout(milliseconds: 3000)
        try router.bind("tcp://127.0.0.1:*")
        let dealer = try Socket(context, .dealer)
        try dealer.setCurveClient(serverKey: server.publicKey, publicKey: client.publicKey, secretKey: client.secretKey)
        try dealer.setReceiveTimeout(milliseconds: 3000)
        try dealer.connect(try router.lastEndpoint)
        try dealer.send([5, 6])
        let message = try router.receiveMessage()
        #expect(message.last == [5, 6])
        try router.send(frames: [message[0], [7]])
        #expect(try dealer.receiveMessage() == [[7]])
    }

    @Test func badEndpointIsInvalidArgument() throws {
        let socket = try Socket(context, .dealer)
        do {
            try socket.connect("nonsense")
            Issue.record("expected an error")
        } catch let error as ZMQError {
            #expect(error.code == .invalidArgument)
        }
    }
}
