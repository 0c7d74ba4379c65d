/// How an input is read while looping over an output's rows and columns:
/// element `(i, j)` of the output reads element `i * row + j * col` of the input.
/// A zero stride repeats (broadcasts) the input along that axis.
struct Strides: Equatable {
    var row: Int
    var col: Int
}
