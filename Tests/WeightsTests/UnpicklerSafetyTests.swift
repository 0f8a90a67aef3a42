import XCTest
import Weights

/// The unpickler runs no code: globals outside the allow-list are refused by name, and hostile structures end in
/// errors, not in unbounded memory, recursion or a crash.
final class UnpicklerSafetyTests: XCTestCase {
    private func assertRefused(_ bytes: [UInt8], mentioning global: String, file: String = "evil.pkl", line: UInt = #line) {
        XCTAssertThrowsError(try WeightFile.tensors(decoding: bytes, file: file), line: line) { error in
            guard case WeightsError.forbiddenGlobal(let f, let g) = error else { return XCTFail("\(error)", line: line) }
            XCTAssertEqual(f, file, line: line)
            XCTAssertEqual(g, global, line: line)
            XCTAssertTrue("\(error)".contains("refusing"), line: line)
        }
    }

    func testPicklesMadeByPythonThatWouldRunCodeAreRefused() throws {
        assertRefused(try Fixtures.bytes("evil_os_system_p2.pkl"), mentioning: "posix.system")
        assertRefused(try Fixtures.bytes("evil_eval_p4.pkl"), mentioning: "builtins.eval")
        assertRefused(try Fixtures.bytes("evil_torch_zip.pth"), mentioning: "posix.system", file: "evil.pth")
    }

    func testHandWrittenGlobalsAreRefused() {
        // protocol 2: GLOBAL 'os system', then a string argument, TUPLE1, REDUCE, STOP
        assertRefused([0x80, 0x02] + Array("cos\nsystem\n".utf8) + [0x58, 2, 0, 0, 0] + Array("ls".utf8) + [0x85, 0x52, 0x2E],
                      mentioning: "os.system")
        // protocol 4: STACK_GLOBAL builtins.exec
        assertRefused([0x80, 0x04, 0x8C, 8] + Array("builtins".utf8) + [0x8C, 4] + Array("exec".utf8) + [0x93, 0x2E],
                      mentioning: "builtins.exec")
        // an allowed module with a name outside the list
        assertRefused([0x80, 0x02] + Array("ctorch\nload\n".utf8) + [0x2E], mentioning: "torch.load")
    }

    func testRecursiveStructuresAreRefused() {
        // l = []; m = [l]; l.append(m): a cycle, which no weights file has.
        let bytes: [UInt8] = [0x80, 0x02, 0x5D, 0x71, 0, 0x5D, 0x71, 1, 0x68, 0, 0x61, // m = [l]
                              0x68, 0, 0x68, 1, 0x61, // l.append(m)
                              0x2E]
        XCTAssertThrowsError(try WeightFile.tensors(decoding: bytes, file: "cycle.pkl")) { error in
            XCTAssertTrue("\(error)".contains("recursive"), "\(error)")
        }
    }

    func testContainerInsertedIntoItselfIsRefused() {
        // d = {}; d['a'] = d: the dict becomes its own value, which would send readers into endless recursion.
        let bytes: [UInt8] = [0x80, 0x02, 0x7D, 0x71, 0x00, 0x8C, 0x01, 0x61, 0x68, 0x00, 0x73, 0x2E]
        XCTAssertThrowsError(try WeightFile.tensors(decoding: bytes, file: "self.pkl")) { error in
            XCTAssertTrue("\(error)".contains("recursive"), "\(error)")
        }
        // l = []; l.append(l)
        let list: [UInt8] = [0x80, 0x02, 0x5D, 0x71, 0x00, 0x68, 0x00, 0x68, 0x00, 0x61, 0x2E]
        XCTAssertThrowsError(try WeightFile.tensors(decoding: list, file: "self.pkl")) { error in
            XCTAssertTrue("\(error)".contains("recursive"), "\(error)")
        }
    }

    func testDeepNestingIsBounded() {
        let bytes: [UInt8] = [0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: 200_000) + [0x2E] // ((((),),),)…
        XCTAssertThrowsError(try WeightFile.tensors(decoding: bytes, file: "deep.pkl")) { error in
            XCTAssertTrue("\(error)".contains("nested deeper"), "\(error)")
        }
    }

    func testLengthsBeyondTheFileAreTruncation() {
        let bytes: [UInt8] = [0x80, 0x03, 0x42, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3] // BINBYTES of 2 GiB
        XCTAssertThrowsError(try WeightFile.tensors(decoding: bytes, file: "big.pkl")) { error in
            guard case WeightsError.truncated(let file, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "big.pkl")
        }
    }

    func testUnknownOpcodeIsNamed() {
        XCTAssertThrowsError(try WeightFile.tensors(decoding: [0x80, 0x02, 0x69, 0x2E], file: "inst.pkl")) { error in
            XCTAssertTrue("\(error)".contains("opcode 0x69"), "\(error)")
        }
    }
}
