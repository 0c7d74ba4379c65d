import Foundation
import GymCore
import GymProtocol
import Testing
@testable import BufferService

/// Once a table has a signature (declared at creation or fixed by its first insert), an insert
/// whose columns differ in name, count, dtype or item shape is INVALID_ARGUMENT and changes nothing.
@Suite struct SignatureTests {
    static func insert(_ columns: [(String, NDArray)]) -> Gym_V1_BufferRequest {
        .with { $0.insert = .with {
            $0.table = "t"
            $0.columns = columns.map { name, array in .with { $0.name = name; $0.tensor = Gym_V1_Tensor(array) } }
        } }
    }

    static let misfits: [(String, [(String, NDArray)])] = [
        ("float32 value", [("value", NDArray(dtype: .float32, shape: [2], values: [0, 1])), ("vec", NDArray(dtype: .float32, shape: [2, 2], values: [0, 0, 1, 1]))]),
        ("int64 vec", [("value", NDArray(dtype: .float64, shape: [2], values: [0, 1])), ("vec", NDArray(dtype: .int64, shape: [2, 2], values: [0, 0, 1, 1]))]),
        ("vec of 3", [("value", NDArray(dtype: .float64, shape: [2], values: [0, 1])), ("vec", NDArray(dtype: .float32, shape: [2, 3], values: Array(repeating: 0, count: 6)))]),
        ("vec of rank 3", [("value", NDArray(dtype: .float64, shape: [2], values: [0, 1])), ("vec", NDArray(dtype: .float32, shape: [2, 2, 1], values: [0, 0, 1, 1]))]),
        ("missing vec", [("value", NDArray(dtype: .float64, shape: [2], values: [0, 1]))]),
        ("renamed vec", [("value", NDArray(dtype: .float64, shape: [2], values: [0, 1])), ("vector", NDArray(dtype: .float32, shape: [2, 2], values: [0, 0, 1, 1]))]),
        ("extra column", [("value", NDArray(dtype: .float64, shape: [2], values: [0, 1])), ("vec", NDArray(dtype: .float32, shape: [2, 2], values: [0, 0, 1, 1])),
                          ("extra", NDArray(dtype: .uint8, shape: [2], values: [0, 1]))]),
        ("items disagree", [("value", NDArray(dtype: .float64, shape: [2], values: [0, 1])), ("vec", NDArray(dtype: .float32, shape: [3, 2], values: Array(repeating: 0, count: 6)))]),
    ]

    func expectMisfitsRefused(_ service: BufferService, size: UInt64) throws {
        for (what, columns) in Self.misfits {
            let response = try reply(service, Self.insert(columns))
            #expect(response.error.code == .invalidArgument, "\(what): \(response.error.code) \(response.error.message)")
        }
        #expect(service.info("t")?.size == size)
        #expect(service.info("t")?.columns.map(\.name).sorted() == ["value", "vec"])
    }

    @Test func aSignatureFixedByTheFirstInsertHoldsForEveryLaterOne() throws {
        let service = try BufferService(tables: [config("t,max-size=10")])
        _ = try reply(service, items(0, 3))
        try expectMisfitsRefused(service, size: 3)
        #expect(try reply(service, items(3, 2)).insert.count == 2)
    }

    @Test func aDeclaredSignatureHoldsFromTheFirstInsert() throws {
        var declared = try config("t,max-size=10")
        declared.signature = [HostileRequestTests.column("value", .float64, []), HostileRequestTests.column("vec", .float32, [2])]
        let service = try BufferService(tables: [declared])
        try expectMisfitsRefused(service, size: 0)
        #expect(try reply(service, items(0, 2)).insert.count == 2)
    }
}
