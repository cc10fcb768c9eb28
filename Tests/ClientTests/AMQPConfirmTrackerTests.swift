import Testing
@testable import AMQPClient

@Suite struct AMQPConfirmTrackerTests {
    private func tracker(publishing count: Int) -> ConfirmTracker {
        var tracker = ConfirmTracker()
        for expected in 1...UInt64(count) {
            #expect(tracker.published() == expected)
        }
        return tracker
    }

    @Test func singleAcksSettleOneSequenceNumberEach() {
        var tracker = tracker(publishing: 3)
        #expect(tracker.unconfirmed == 3)
        tracker.acked(2, multiple: false)
        #expect(tracker.unconfirmed == 2)
        tracker.acked(1, multiple: false)
        tracker.acked(3, multiple: false)
        #expect(tracker.unconfirmed == 0)
    }

    @Test func multipleAckSettlesEverythingUpToTheTag() {
        var tracker = tracker(publishing: 10)
        tracker.acked(7, multiple: true)
        #expect(tracker.unconfirmed == 3)
        tracker.acked(10, multiple: true)
        #expect(tracker.unconfirmed == 0)
        #expect(tracker.takeNacked().isEmpty)
    }

    @Test func nacksAreReportedOnceWithTheirSequenceNumbers() {
        var tracker = tracker(publishing: 6)
        tracker.nacked(2, multiple: false)
        tracker.nacked(5, multiple: true)
        #expect(tracker.unconfirmed == 1)
        #expect(tracker.takeNacked() == [2, 1, 3, 4, 5])
        #expect(tracker.takeNacked().isEmpty)
    }

    @Test func oldestOutstandingIsTheLowestUnsettledSequenceNumber() {
        var tracker = tracker(publishing: 5)
        #expect(tracker.oldestOutstanding == 1)
        tracker.acked(2, multiple: false)
        #expect(tracker.oldestOutstanding == 1)
        tracker.acked(1, multiple: false)
        #expect(tracker.oldestOutstanding == 3)
        tracker.nacked(4, multiple: true)
        #expect(tracker.oldestOutstanding == 5)
        tracker.acked(5, multiple: false)
        #expect(tracker.oldestOutstanding == nil)
    }

    @Test func duplicateOrUnknownTagsChangeNothing() {
        var tracker = tracker(publishing: 2)
        tracker.acked(1, multiple: false)
        tracker.acked(1, multiple: false)
        tracker.acked(99, multiple: false)
        #expect(tracker.unconfirmed == 1)
    }

    @Test func staysCorrectAcrossManyWindows() {
        var tracker = ConfirmTracker()
        for round in 0..<50 {
            for _ in 0..<1000 { _ = tracker.published() }
            let last = UInt64((round + 1) * 1000)
            tracker.acked(last - 500, multiple: true)
            tracker.acked(last, multiple: false)
            #expect(tracker.unconfirmed == 499)
            tracker.acked(last - 1, multiple: true)
            #expect(tracker.unconfirmed == 0)
        }
        #expect(tracker.nextSequence == 50_001)
    }
}
