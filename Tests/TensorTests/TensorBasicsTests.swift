import XCTest
@testable import Tensor

final class TensorBasicsTests: XCTestCase {
    func testShapeMismatchIsAnError() {
        XCTAssertThrowsError(try Tensor(shape: [2, 3], scalars: [1, 2, 3]))
    }

    func testGemmKnownAnswer() {
        // [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]]
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.gemm(m: 2, n: 2, k: 2, a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
                }
            }
        }
        XCTAssertEqual(c, [19, 22, 43, 50])
    }
}
