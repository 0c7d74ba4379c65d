import Foundation
import Testing
import ZeroMQ

/// The connection monitor the daemon reclaims environments with: a message names the connection
/// it came on, and that connection's close is reported with the same descriptor.
@Suite struct SocketMonitorTests {
    @Test func aClosedConnectionIsReportedWithTheDescriptorItsMessagesCameOn() throws {
        let context = try Context()
        let router = try Socket(context, .router)
        try router.setMaxMessageSize(256 << 20)
        try router.setSendHighWaterMark(4096)
        try router.setReceiveHighWaterMark(1000)
        try router.setRouterMandatory(true)
        try router.bind("tcp://127.0.0.1:*")
        try router.monitorConnections(on: "inproc://monitor-test")
        let events = try Socket(context, .pair)
        try events.setReceiveTimeout(milliseconds: 5000)
        try events.connect("inproc://monitor-test")
        try router.setReceiveTimeout(milliseconds: 5000)
        let dealer = try Socket(context, .dealer)
        try dealer.connect(router.lastEndpoint)
        try dealer.send([1, 2, 3])
        var poller = Poller()
        poller.add(router)
        _ = try poller.poll(timeoutMilliseconds: 5000)
        let (frames, source) = try router.receiveMessageWithSource(dontWait: true)
        #expect(frames.last == [1, 2, 3])
        #expect(source >= 0)
        dealer.close()
        var closed: SocketEvent?
        while closed == nil {
            let event = try #require(SocketEvent(frames: try events.receiveMessage()))
            if event.kind == .disconnected { closed = event }
        }
        #expect(closed?.descriptor == source)
        router.stopMonitoring()
        events.close()
        router.close()
    }
}
