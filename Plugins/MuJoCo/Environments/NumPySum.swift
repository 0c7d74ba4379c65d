/// `np.sum` of a contiguous 1-D array, in NumPy's order: pairwise summation with eight
/// accumulators over blocks of up to 128 elements, added to the reduction's identity 0. The
/// element type is the array's (float32 sums stay float32), so rewards match Gymnasium's bits.
enum NumPySum {
    /// NumPy's `PW_BLOCKSIZE`: blocks at most this long are summed without splitting.
    static let blockSize = 128

    /// `np.sum(values)`.
    static func sum<T: BinaryFloatingPoint>(_ values: UnsafeBufferPointer<T>) -> T {
        0 + pairwise(values, values.startIndex, values.count)
    }

    /// `np.sum(np.square(values))`, squaring in the element type as `np.square` does.
    static func sumOfSquares<T: BinaryFloatingPoint>(_ values: [T]) -> T {
        let squares = values.map { $0 * $0 }
        return squares.withUnsafeBufferPointer { sum($0) }
    }

    private static func pairwise<T: BinaryFloatingPoint>(_ a: UnsafeBufferPointer<T>, _ start: Int, _ n: Int) -> T {
        if n < 8 {
            var result: T = -0.0
            for index in start..<(start + n) { result += a[index] }
            return result
        }
        if n <= blockSize {
            var r = (a[start], a[start + 1], a[start + 2], a[start + 3], a[start + 4], a[start + 5], a[start + 6], a[start + 7])
            var index = 8
            while index < n - n % 8 {
                let base = start + index
                r.0 += a[base]; r.1 += a[base + 1]; r.2 += a[base + 2]; r.3 += a[base + 3]
                r.4 += a[base + 4]; r.5 += a[base + 5]; r.6 += a[base + 6]; r.7 += a[base + 7]
                index += 8
            }
            var result = ((r.0 + r.1) + (r.2 + r.3)) + ((r.4 + r.5) + (r.6 + r.7))
            while index < n {
                result += a[start + index]
                index += 1
            }
            return result
        }
        var half = n / 2
        half -= half % 8
        return pairwise(a, start, half) + pairwise(a, start + half, n - half)
    }
}
