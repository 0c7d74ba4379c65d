import GymCore

/// One column of a table: its name, element type and the shape of one item.
public struct ColumnSpec: Sendable, Equatable {
    /// The column's name.
    public var name: String
    /// The element type.
    public var dtype: DType
    /// The shape of one item (the batch dimension excluded).
    public var shape: [Int]

    /// A column.
    public init(name: String, dtype: DType, shape: [Int]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }
}
