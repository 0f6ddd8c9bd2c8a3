import XCTest
final class SeqshPlaceholderTests: XCTestCase { func testLinks() { XCTAssertTrue(true) } }
