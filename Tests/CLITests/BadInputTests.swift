import Foundation
import XCTest

/// Bad inputs of every kind, run through the built `stylize` (issue 12, items 3–5): each ends with the documented
/// exit status (1 for a file or the run, 64 for the command line), one line on standard error naming the input,
/// no trap or backtrace, and the folder it would have written to exactly as it was before. Valid but unusual
/// pictures are in `UnusualInputTests`; the numeric limits in `OptionLimitTests`.
final class BadInputTests: XCTestCase {
    private let root = Stylize.root
    private var coffee: String { root + "/Samples/coffee.jpg" }
    private var starry: String { root + "/Samples/starry_night_unframed.jpg" }
    private var chelsea: String { root + "/Samples/chelsea.png" }
    private func clip(_ name: String) -> String { root + "/Tests/MediaTests/Files/" + name }
    /// Quick settings: any run that got past its checks would be over in seconds.
    private let fast = ["--size", "32", "--iterations", "2", "--scales", "1", "--model", "vgg16"]

    override class func tearDown() {
        Fixtures.removeAll()
        super.tearDown()
    }

    /// Every file and folder under `directory`, relative to it.
    private func tree(_ directory: String) -> Set<String> {
        Set((FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? [])
    }

    /// Runs `arguments` with `DIR` standing for `dir` (a fresh folder unless given) and checks the status, that
    /// standard error is one line "Error: …" holding every string of `mentions`, and that the folder holds
    /// just what it held before.
    @discardableResult
    private func expectFailure(_ arguments: [String], status: Int32, mentions: [String], in dir: String? = nil,
                               line: UInt = #line) throws -> Stylize.Run {
        let dir = try dir ?? Stylize.directory(self)
        let before = tree(dir)
        let run = try Stylize.run(arguments.map { $0.replacingOccurrences(of: "DIR", with: dir) })
        XCTAssertEqual(run.status, status, "\(arguments): \(run.error)", line: line)
        let lines = run.error.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line: \(run.error)", line: line)
        XCTAssertTrue(run.error.hasPrefix("Error: ") && !run.error.hasPrefix("Error: Error:") && !run.error.hasPrefix("Error: error:"),
                      run.error, line: line)
        for text in mentions {
            XCTAssertTrue(run.error.contains(text.replacingOccurrences(of: "DIR", with: dir)), "\(arguments): no '\(text)' in \(run.error)", line: line)
        }
        XCTAssertFalse(run.error.contains("Backtrace") || run.error.contains("Fatal error"), run.error, line: line)
        XCTAssertEqual(tree(dir), before, "\(arguments) left files behind", line: line)
        return run
    }

    // MARK: Pictures that cannot be read (status 1, the file named)

    func testMissingContentAndStyle() throws {
        try expectFailure(["image", "DIR/none.jpg", starry, "-o", "DIR/a.png"] + fast, status: 1, mentions: ["DIR/none.jpg"])
        try expectFailure(["image", coffee, "DIR/none.jpg", "-o", "DIR/a.png"] + fast, status: 1, mentions: ["DIR/none.jpg"])
        try expectFailure(["texture", "DIR/none.png", "-o", "DIR/a.png"] + fast, status: 1, mentions: ["DIR/none.png"])
        try expectFailure(["reconstruct", "DIR/none.png", "-o", "DIR/a.png"] + fast, status: 1, mentions: ["DIR/none.png"])
    }

    func testEmptyTruncatedAndNonImageFiles() throws {
        let empty = try Fixtures.text("", as: "empty.png")
        try expectFailure(["image", empty, starry, "-o", "DIR/a.png"] + fast, status: 1, mentions: [empty])
        let png = try Fixtures.prefix(of: chelsea, bytes: 60, as: "truncated.png")
        try expectFailure(["image", png, starry, "-o", "DIR/a.png"] + fast, status: 1, mentions: [png])
        let jpeg = try Fixtures.prefix(of: coffee, bytes: 300, as: "truncated.jpg")
        try expectFailure(["image", coffee, jpeg, "-o", "DIR/a.png"] + fast, status: 1, mentions: [jpeg])
        let text = try Fixtures.text("not a picture\n", as: "notes.jpg")
        try expectFailure(["image", text, starry, "-o", "DIR/a.png"] + fast, status: 1, mentions: [text])
        let noVideo = clip("no_video.m4a")
        try expectFailure(["texture", noVideo, "-o", "DIR/a.png"] + fast, status: 1, mentions: [noVideo])
    }

    func testAFolderAsAPicture() throws {
        let dir = try Stylize.directory(self)
        try FileManager.default.createDirectory(atPath: dir + "/pictures.png", withIntermediateDirectories: false)
        try expectFailure(["image", "DIR/pictures.png", starry, "-o", "DIR/a.png"] + fast, status: 1, mentions: ["DIR/pictures.png"], in: dir)
    }

    /// A file its owner may not read. Root reads it anyway, so there the test asserts that: the picture is read
    /// and the run goes on to fail at the (missing) model instead.
    func testUnreadablePicture() throws {
        let dir = try Stylize.directory(self), locked = dir + "/locked.jpg"
        try FileManager.default.copyItem(atPath: coffee, toPath: locked)
        XCTAssertEqual(chmod(locked, 0), 0)
        defer { chmod(locked, 0o644) }
        if getuid() == 0 {
            let run = try expectFailure(["image", locked, starry, "-o", "DIR/a.png", "--model", "DIR/none.pth"], status: 1,
                                        mentions: ["DIR/none.pth"], in: dir)
            XCTAssertFalse(run.error.contains("locked.jpg"), run.error)
        } else {
            try expectFailure(["image", locked, starry, "-o", "DIR/a.png"] + fast, status: 1, mentions: [locked], in: dir)
        }
    }

    // MARK: Recipe files (status 1: a file that cannot be used)

    func testBadRecipeFiles() throws {
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--recipe", "DIR/none.json"], status: 1,
                          mentions: ["--recipe DIR/none.json", "no such file"])
        let notJSON = try Fixtures.text("size = 64", as: "recipe.toml.json")
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--recipe", notJSON], status: 1, mentions: [notJSON, "JSON object"])
        let array = try Fixtures.text("[1, 2]", as: "array.json")
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--recipe", array], status: 1, mentions: [array, "JSON object"])
        let wrongType = try Fixtures.text(#"{"size": "big"}"#, as: "wrong-type.json")
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--recipe", wrongType], status: 1, mentions: [wrongType, "size"])
    }

    // MARK: Outputs checked before any work

    func testUnknownOutputExtensionsWriteNoRecipe() throws {
        try expectFailure(["image", coffee, starry, "-o", "DIR/o.xyz", "--save-recipe", "DIR/r.json"] + fast, status: 64,
                          mentions: ["-o DIR/o.xyz", ".png"])
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--gif", "DIR/g.png"] + fast, status: 64, mentions: ["--gif DIR/g.png", ".gif"])
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--video", "DIR/v.txt"] + fast, status: 64, mentions: ["--video DIR/v.txt", ".mp4"])
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--save-recipe", "DIR/r.txt"] + fast, status: 64,
                          mentions: ["--save-recipe DIR/r.txt", ".json"])
        try expectFailure(["video", clip("cfr_audio.mp4"), starry, "-o", "DIR/out.xyz"] + fast, status: 64, mentions: ["-o DIR/out.xyz", ".webm"])
    }

    func testOutputsThatCollide() throws {
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--video", "DIR/a.png"] + fast, status: 64,
                          mentions: ["--video DIR/a.png", "-o"])
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--gif", "DIR/g.gif", "--video", "DIR/sub/../g.gif"] + fast,
                          status: 64, mentions: ["--gif", "own path"])
        try expectFailure(["video", clip("cfr_audio.mp4"), starry, "-o", "DIR/out.gif", "--gif", "DIR/out.gif"] + fast, status: 64,
                          mentions: ["--gif DIR/out.gif"])
    }

    func testOutputPathsThatCannotBeWritten() throws {
        let dir = try Stylize.directory(self)
        try FileManager.default.createDirectory(atPath: dir + "/taken.png", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: dir + "/taken.json", withIntermediateDirectories: false)
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/file"))
        try FileManager.default.createDirectory(atPath: dir + "/full", withIntermediateDirectories: false)
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/full/mine.txt"))
        try expectFailure(["image", coffee, starry, "-o", "DIR/taken.png"] + fast, status: 1, mentions: ["-o DIR/taken.png", "is a folder"], in: dir)
        try expectFailure(["image", coffee, starry, "-o", "DIR/none/a.png"] + fast, status: 1, mentions: ["-o DIR/none/a.png", "no folder"], in: dir)
        try expectFailure(["image", coffee, starry, "-o", "DIR/file/a.png"] + fast, status: 1, mentions: ["-o DIR/file/a.png"], in: dir)
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--frames", "DIR/file"] + fast, status: 1,
                          mentions: ["--frames DIR/file", "is a file"], in: dir)
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--frames", "DIR/full"] + fast, status: 1,
                          mentions: ["--frames DIR/full", "already holds files"], in: dir)
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--save-recipe", "DIR/taken.json", "--gif", "DIR/g.gif"] + fast,
                          status: 1, mentions: ["--save-recipe DIR/taken.json", "is a folder"], in: dir)
        try expectFailure(["video", clip("cfr_audio.mp4"), starry, "-o", "DIR/out.mp4", "--work-dir", "DIR/file"] + fast, status: 1,
                          mentions: ["--work-dir DIR/file", "is a file"], in: dir)
    }

    /// A folder where no file can be created: mode 555 for a user; for root, who ignores modes, /sys (a
    /// read-only kernel file system) — nothing can be left there either way.
    func testUnwritableOutputFolder() throws {
        if getuid() == 0 {
            let run = try expectFailure(["image", coffee, starry, "-o", "/sys/stylize-test.png"] + fast, status: 1,
                                        mentions: ["-o /sys/stylize-test.png", "cannot create files in /sys"])
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/stylize-test.png"), run.error)
        } else {
            let dir = try Stylize.directory(self), locked = dir + "/locked"
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
            XCTAssertEqual(chmod(locked, 0o555), 0)
            defer { chmod(locked, 0o755) }
            try expectFailure(["image", coffee, starry, "-o", "DIR/locked/a.png"] + fast, status: 1, mentions: ["cannot create files in"], in: dir)
        }
    }

    /// 100001 frames of 8192² pixels cannot fit any test machine's disk: refused before the images are read.
    func testOutputsLargerThanTheFreeSpace() throws {
        try expectFailure(["image", "DIR/not-read.jpg", starry, "-o", "DIR/a.png", "--size", "8192", "--iterations", "100000",
                           "--scales", "1", "--save-every", "1", "--frames", "DIR/frames"],
                          status: 1, mentions: ["GB", "free", "--size"])
    }

    /// `stylize gif` checks its GIF before decoding the video, as the other commands check theirs.
    func testGifOutputCheckedBeforeDecoding() throws {
        try expectFailure(["gif", clip("cfr_audio.mp4"), "-o", "DIR/none/g.gif"], status: 1,
                          mentions: ["-o DIR/none/g.gif", "there is no folder DIR/none"])
        try expectFailure(["gif", clip("cfr_audio.mp4"), "-o", "DIR/g.png"], status: 64, mentions: ["-o DIR/g.png", ".gif"])
    }

    // MARK: Failures during the run leave nothing

    /// A model that fails to load comes after the outputs were checked: no picture, video, GIF or recipe.
    func testModelThatFailsToLoadLeavesNoOutput() throws {
        let garbage = try Fixtures.text(String(repeating: "not a checkpoint ", count: 100), as: "garbage.pth")
        let outputs = ["-o", "DIR/a.png", "--video", "DIR/v.mp4", "--gif", "DIR/g.gif", "--frames", "DIR/f", "--save-recipe", "DIR/r.json"]
        try expectFailure(["image", coffee, starry, "--model", garbage, "--size", "32"] + outputs, status: 1, mentions: [garbage])
        try expectFailure(["image", coffee, starry, "--model", "DIR/none.pth", "--size", "32"] + outputs, status: 1, mentions: ["DIR/none.pth"])
        try expectFailure(["image", coffee, starry, "--model", "vgg99", "--size", "32"] + outputs, status: 1, mentions: ["vgg99"])
        try expectFailure(["video", clip("cfr_audio.mp4"), starry, "--model", garbage, "-o", "DIR/out.mp4", "--gif", "DIR/g.gif",
                           "--save-recipe", "DIR/r.json"], status: 1, mentions: [garbage])
    }

    /// `stylize arguments` with files limited to 12 KiB (`ulimit -f`; SIGXFSZ ignored so that a longer write
    /// fails with EFBIG instead of killing the process): a disk error at a chosen point of the run.
    private func runWithSmallFiles(_ arguments: [String]) throws -> Stylize.Run {
        try Stylize.run(arguments, launcher: ["/bin/bash", "-c", "ulimit -f 12; trap '' XFSZ; exec \"$@\"", "bash"])
    }

    /// A disk error on the picture, the last file but the recipe: the small GIF, finished before it, is taken back.
    func testWriteErrorAfterTheGIFTakesItBack() throws {
        let dir = try Stylize.directory(self)
        let arguments = ["image", coffee, starry, "-o", dir + "/a.png", "--size", "128", "--iterations", "2", "--scales", "1",
                         "--model", "vgg16", "--gif", dir + "/g.gif", "--gif-width", "16", "--save-recipe", dir + "/r.json"]
        let run = try runWithSmallFiles(arguments)
        XCTAssertEqual(run.status, 1, run.error)
        XCTAssertTrue(run.error.hasPrefix("Error: ") && run.error.contains(dir + "/a.png"), run.error)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "left behind: \(run.error)")
        // The same run without the limit writes all three and the sidecar: the GIF was made before the picture failed.
        let whole = try Stylize.run(arguments)
        XCTAssertEqual(whole.status, 0, whole.error)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)), ["a.png", "a.json", "g.gif", "r.json"])
    }

    /// `stylize gif` whose GIF outgrows the file limit while it is written: no GIF, no temporary file.
    func testGifFailingMidWayLeavesNothing() throws {
        let dir = try Stylize.directory(self)
        let run = try runWithSmallFiles(["gif", clip("cfr_audio.mp4"), "-o", dir + "/g.gif"])
        XCTAssertEqual(run.status, 1, run.error)
        XCTAssertTrue(run.error.hasPrefix("Error: ") && run.error.contains("File too large"), run.error)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "left behind: \(run.error)")
        // Without the limit the same GIF is larger than it: the limit is what stopped it.
        let whole = try Stylize.run(["gif", clip("cfr_audio.mp4"), "-o", dir + "/g.gif", "--quiet"])
        XCTAssertEqual(whole.status, 0, whole.error)
        let size = try FileManager.default.attributesOfItem(atPath: dir + "/g.gif")[.size] as? Int ?? 0
        XCTAssertGreaterThan(size, 12 * 1024)
        XCTAssertEqual(whole.output, "wrote \(dir)/g.gif\n")
    }

    /// The case of issue 12: a video run failing after some frames left out.mp4 and its frame folder, and a
    /// rerun without --resume was refused. Here the crash copy outgrows the file limit mid-clip: nothing is
    /// left, and the same command then runs.
    func testVideoFailingMidClipLeavesNoWorkFolder() throws {
        let dir = try Stylize.directory(self)
        let arguments = ["video", clip("cfr_audio.mp4"), starry, "-o", dir + "/out.mp4", "--gif", dir + "/g.gif", "--save-recipe",
                         dir + "/r.json", "--size", "64", "--iterations", "2", "--scales", "1", "--frame-iterations", "1", "--model", "vgg16"]
        let run = try runWithSmallFiles(arguments)
        XCTAssertEqual(run.status, 1, run.error)
        XCTAssertTrue(run.error.hasPrefix("Error: ") && run.error.contains("File too large"), run.error)
        XCTAssertTrue(run.output.contains("\nframe 2"), "the run failed before its frames: \(run.output)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "left behind: \(run.error)")
        let rerun = try Stylize.run(arguments + ["--max-frames", "2"])
        XCTAssertEqual(rerun.status, 0, rerun.error)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)), ["out.mp4", "out.json", "g.gif", "r.json", "out.mp4.frames"])
    }

    /// A clip whose selection holds no frame is found once it is opened, after the network loaded: the video,
    /// GIF, recipe and work folder are not made.
    func testClipWithNoFramesInItsSelectionLeavesNoOutput() throws {
        try expectFailure(["video", clip("cfr_audio.mp4"), starry, "-o", "DIR/out.mp4", "--gif", "DIR/g.gif",
                           "--save-recipe", "DIR/r.json", "--start", "1000"] + fast, status: 1, mentions: ["cfr_audio.mp4"])
    }

    // MARK: Clips that cannot be read

    func testUnreadableClips() throws {
        try expectFailure(["video", clip("no_video.m4a"), starry, "-o", "DIR/out.mp4"] + fast, status: 1, mentions: ["no_video.m4a"])
        try expectFailure(["video", "DIR/none.mp4", starry, "-o", "DIR/out.mp4"] + fast, status: 1, mentions: ["DIR/none.mp4"])
        let text = try Fixtures.text("not a clip\n", as: "notes.mp4")
        try expectFailure(["video", text, starry, "-o", "DIR/out.mp4"] + fast, status: 1, mentions: [text])
        let truncated = try Fixtures.prefix(of: clip("cfr_audio.mp4"), bytes: 2000, as: "truncated.mp4")
        try expectFailure(["video", truncated, starry, "-o", "DIR/out.mp4"] + fast, status: 1, mentions: [truncated])
        let empty = try Fixtures.ffmpeg("empty.mp4", source: "testsrc=size=64x48:rate=10", options: ["-frames:v", "0", "-c:v", "mpeg4"])
        try expectFailure(["video", empty, starry, "-o", "DIR/out.mp4", "--gif", "DIR/g.gif"] + fast, status: 1, mentions: [empty])
    }

    // MARK: The command line (status 64, with the help to read)

    /// `stylize gif`'s numbers and dithering are refused while parsing, as every other command's are.
    func testGifValuesOutOfRange() throws {
        for (flag, value, range) in [("--gif-width", "8", "16 and 4096"), ("--gif-fps", "0", "0.1 and 50"), ("--gif-fps", "nan", "0.1 and 50"),
                                     ("--gif-colors", "2", "4 and 256"), ("--gif-colors", "1000", "4 and 256"), ("--dither", "ordered", "bayer")] {
            try expectFailure(["gif", clip("cfr_audio.mp4"), "-o", "DIR/g.gif", flag, value], status: 64, mentions: [flag, value, range])
        }
    }

    func testLayersTheModelDoesNotHave() throws {
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--style-layers", "relu1_1,relu5_4"] + fast, status: 64,
                          mentions: ["relu5_4", "relu5_3"])
        try expectFailure(["reconstruct", coffee, "-o", "DIR/a.png", "--content-layers", "conv9_9"] + fast, status: 64, mentions: ["conv9_9"])
    }

    func testCountsThatDoNotMatch() throws {
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--style-layer-weights", "1,2"] + fast, status: 64,
                          mentions: ["style", "2"])
        try expectFailure(["image", coffee, starry, chelsea, "-o", "DIR/a.png", "--style-blend", "1,2,3"] + fast, status: 64,
                          mentions: ["blend"])
    }

    /// Artist controls that make no sense for the run are refused before anything is read or written.
    func testArtistControlsThatDoNotApply() throws {
        let mask = root + "/Samples/rubberwhale1.png"
        try expectFailure(["image", coffee, starry, chelsea, "-o", "DIR/a.png", "--style-mask", "1=\(mask)", "--style-mask", "3=\(mask)"] + fast,
                          status: 64, mentions: ["--style-mask 3", "2 style images"])
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--style-mask", "left.png"] + fast, status: 64,
                          mentions: ["--style-mask left.png", "N=MASK.png"])
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--style-mask", "1=\(mask)", "--style-mask", "1=\(mask)"] + fast,
                          status: 64, mentions: ["style 1 has two masks"])
        try expectFailure(["texture", starry, "-o", "DIR/a.png", "--content-mask", mask] + fast, status: 64,
                          mentions: ["--content-mask", "no content image"])
        try expectFailure(["texture", starry, "-o", "DIR/a.png", "--colors", "histogram"] + fast, status: 64,
                          mentions: ["--colors histogram", "no content image"])
        try expectFailure(["video", clip("cfr_audio.mp4"), starry, "-o", "DIR/out.mp4", "--tileable"] + fast, status: 64,
                          mentions: ["--tileable", "image or texture"])
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--colors", "sepia"] + fast, status: 64, mentions: ["sepia"])
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--style-loss", "l1"] + fast, status: 64, mentions: ["l1"])
        // A recipe's style numbers count from 1 too.
        let dir = try Stylize.directory(self)
        try Data(#"{"style_masks": {"0": "\#(mask)"}}"#.utf8).write(to: URL(fileURLWithPath: dir + "/zero.json"))
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--recipe", "DIR/zero.json"] + fast, status: 64,
                          mentions: ["--style-mask 0", "from 1"], in: dir)
        // A mask that cannot be read is an input error, named.
        try expectFailure(["image", coffee, starry, "-o", "DIR/a.png", "--style-mask", "1=DIR/missing.png"] + fast, status: 1,
                          mentions: ["DIR/missing.png"])
    }

    func testMalformedCommandLines() throws {
        let cases: [([String], String)] = [
            (["image", coffee, starry, "-o", "DIR/a.png", "--colour", "red"], "--colour"),
            (["image", coffee, "-o", "DIR/a.png"], "<styles>"),
            (["image", coffee, starry], "--output"),
            (["image", coffee, starry, "-o", "DIR/a.png", "--size", "big"], "big"),
            (["image", coffee, starry, "-o", "DIR/a.png", "--optimizer", "sgd"], "sgd"),
            (["image", coffee, starry, "-o", "DIR/a.png", "--fps", "0/0"], "0/0"),
            (["video", clip("cfr_audio.mp4"), starry, "-o", "DIR/out.mp4", "--temporal", "sometimes"], "sometimes"),
            (["video", clip("cfr_audio.mp4"), starry, "-o", "DIR/out.mp4", "--segment", "3/2"], "3/2"),
            (["paint", coffee], "paint"),
        ]
        for (arguments, mention) in cases {
            let run = try expectFailure(arguments, status: 64, mentions: [mention])
            XCTAssertTrue(run.error.contains("--help"), "a usage error points to the help: \(run.error)")
        }
    }

    func testHelpDocumentsTheExitStatuses() throws {
        let run = try Stylize.run(["--help"])
        XCTAssertEqual(run.status, 0, run.error)
        let text = run.output.replacingOccurrences(of: "\n", with: " ")
        for status in ["0 success", "1 an input", "64 the command line", "130 stopped by Ctrl-C"] {
            XCTAssertTrue(text.contains(status), "stylize --help lacks '\(status)': \(run.output)")
        }
    }
}
