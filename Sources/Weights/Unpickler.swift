/// A safe subset of Python's unpickler (protocols 2–5), in the spirit of `torch.load(weights_only=True)`.
///
/// It interprets the opcodes that plain data uses and calls nothing: each allow-listed global maps to a Swift
/// constructor below, and any other global (`os.system`, `builtins.eval`, …) stops the load with
/// `WeightsError.forbiddenGlobal`. Stack, memo and nesting are bounded, so hostile input ends in an error.
struct Unpickler {
    static let allowedGlobals: Set<String> = [
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
        "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.DoubleStorage",
        "torch.LongStorage", "torch.IntStorage", "torch.ByteStorage", "torch.BoolStorage",
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct", "numpy.ndarray", "numpy.dtype",
        "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
        "_codecs.encode",
    ]
    static let maxStack = 1 << 20
    static let maxMemo = 1 << 20
    static let maxDepth = 64

    private var input: ByteReader
    private var file: String { input.file }
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// Turns a persistent id (torch's storage references) into a value; nil means the file may not use them.
    private let persistentLoad: ((PickleValue) throws -> PickleValue)?

    init(_ bytes: [UInt8], file: String, start: Int = 0, persistentLoad: ((PickleValue) throws -> PickleValue)? = nil) {
        input = ByteReader(bytes, file: file, position: start)
        self.persistentLoad = persistentLoad
    }

    /// Where the next pickle starts (legacy torch files hold several in a row).
    var position: Int { input.position }

    mutating func load() throws -> PickleValue {
        stack = []
        marks = []
        memo = [:]
        while true {
            let op = try input.byte("a pickle opcode")
            if op == 0x2E { // STOP
                guard stack.count == 1, marks.isEmpty else { throw corrupt("the pickle ends with \(stack.count) values on its stack") }
                return stack.removeLast()
            }
            try execute(op)
            guard stack.count <= Self.maxStack else { throw corrupt("the pickle stack grew past \(Self.maxStack) values") }
        }
    }

    private func corrupt(_ reason: String) -> WeightsError { .corrupt(file: file, reason: reason) }

    private mutating func execute(_ op: UInt8) throws {
        switch op {
        case 0x80: // PROTO
            let version = try input.byte("the protocol number")
            guard (2 ... 5).contains(version) else {
                throw WeightsError.unsupportedFormat(file: file, reason: "pickle protocol \(version) is not supported (2–5 are)")
            }
        case 0x95: _ = try input.u64("a frame length") // FRAME: framing is only a hint for buffered readers
        case 0x28: marks.append(stack.count) // MARK
        case 0x30: _ = try pop() // POP
        case 0x31: _ = try popMark() // POP_MARK
        case 0x32: push(try top()) // DUP
        case 0x4E: push(.none) // NONE
        case 0x88: push(.bool(true)) // NEWTRUE
        case 0x89: push(.bool(false)) // NEWFALSE
        case 0x4A: push(.int(Int(Int32(truncatingIfNeeded: try input.uint(4, "an int"))))) // BININT
        case 0x4B: push(.int(Int(try input.byte("an int")))) // BININT1
        case 0x4D: push(.int(Int(try input.uint(2, "an int")))) // BININT2
        case 0x8A: push(try long(Int(try input.byte("a long's length")))) // LONG1
        case 0x8B: // LONG4
            let n = Int(Int32(truncatingIfNeeded: try input.uint(4, "a long's length")))
            push(try long(n))
        case 0x47: // BINFLOAT, big-endian
            let bytes = try input.take(8, "a float")
            push(.float(Double(bitPattern: bytes.reduce(0) { $0 << 8 | UInt64($1) })))
        case 0x8C: push(.string(try text(input.length(1, "a string length")))) // SHORT_BINUNICODE
        case 0x58: push(.string(try text(input.length(4, "a string length")))) // BINUNICODE
        case 0x8D: push(.string(try text(input.length(8, "a string length")))) // BINUNICODE8
        case 0x55: push(.string(try latin1(input.length(1, "a string length")))) // SHORT_BINSTRING
        case 0x54: push(.string(try latin1(input.length(4, "a string length")))) // BINSTRING
        case 0x43: push(.bytes(try raw(input.length(1, "a bytes length")))) // SHORT_BINBYTES
        case 0x42: push(.bytes(try raw(input.length(4, "a bytes length")))) // BINBYTES
        case 0x8E, 0x96: push(.bytes(try raw(input.length(8, "a bytes length")))) // BINBYTES8, BYTEARRAY8
        case 0x29: push(.tuple([], depth: 1)) // EMPTY_TUPLE
        case 0x85: try tuple(count: 1) // TUPLE1
        case 0x86: try tuple(count: 2) // TUPLE2
        case 0x87: try tuple(count: 3) // TUPLE3
        case 0x74: push(try makeTuple(popMark())) // TUPLE
        case 0x5D: push(.list(PickleList())) // EMPTY_LIST
        case 0x6C: // LIST
            let list = PickleList()
            try append(popMark(), to: list)
            push(.list(list))
        case 0x61: // APPEND
            let item = try pop()
            guard case .list(let list) = try top() else { throw corrupt("APPEND to a \(try top().typeName)") }
            try append([item], to: list)
        case 0x65: // APPENDS
            let items = try popMark()
            guard case .list(let list) = try top() else { throw corrupt("APPENDS to a \(try top().typeName)") }
            try append(items, to: list)
        case 0x7D: push(.dict(PickleDict())) // EMPTY_DICT
        case 0x64: // DICT
            let dict = PickleDict()
            try setItems(popMark(), in: dict)
            push(.dict(dict))
        case 0x73: // SETITEM
            let value = try pop(), key = try pop()
            guard case .dict(let dict) = try top() else { throw corrupt("SETITEM on a \(try top().typeName)") }
            try setItems([key, value], in: dict)
        case 0x75: // SETITEMS
            let items = try popMark()
            guard case .dict(let dict) = try top() else { throw corrupt("SETITEMS on a \(try top().typeName)") }
            try setItems(items, in: dict)
        case 0x63: // GLOBAL "module\nname\n"
            let module = try line(), name = try line()
            push(try global(module, name))
        case 0x93: // STACK_GLOBAL
            let name = try pop(), module = try pop()
            guard let m = module.asString, let n = name.asString else { throw corrupt("STACK_GLOBAL without two strings") }
            push(try global(m, n))
        case 0x52: // REDUCE
            let args = try pop(), callable = try pop()
            push(try call(callable, args))
        case 0x81: // NEWOBJ: cls.__new__(cls, *args); only OrderedDict is constructed this way
            let args = try pop(), cls = try pop()
            push(try call(cls, args))
        case 0x62: // BUILD
            let state = try pop()
            try build(top(), state: state)
        case 0x51: // BINPERSID
            let pid = try pop()
            guard let persistentLoad else { throw corrupt("a persistent id in a file that cannot have any") }
            _ = try seal(pid)
            push(try persistentLoad(pid))
        case 0x71: try put(Int(input.byte("a memo index"))) // BINPUT
        case 0x72: try put(Int(input.uint(4, "a memo index"))) // LONG_BINPUT
        case 0x94: try put(memo.count) // MEMOIZE
        case 0x68: try get(Int(input.byte("a memo index"))) // BINGET
        case 0x6A: try get(Int(input.uint(4, "a memo index"))) // LONG_BINGET
        default:
            throw corrupt(String(format: "unsupported pickle opcode 0x%02x at byte %d", op, input.position - 1))
        }
    }

    // MARK: stack and memo

    private mutating func push(_ value: PickleValue) { stack.append(value) }

    private mutating func pop() throws -> PickleValue {
        guard let value = stack.popLast(), stack.count >= (marks.last ?? 0) else {
            throw corrupt("the pickle pops an empty stack")
        }
        return value
    }

    private func top() throws -> PickleValue {
        guard let value = stack.last, stack.count > (marks.last ?? 0) else { throw corrupt("the pickle reads an empty stack") }
        return value
    }

    private mutating func popMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw corrupt("the pickle closes a MARK it never opened") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private mutating func put(_ index: Int) throws {
        guard memo.count < Self.maxMemo || memo[index] != nil else { throw corrupt("the pickle memo grew past \(Self.maxMemo) entries") }
        memo[index] = try top()
    }

    private mutating func get(_ index: Int) throws {
        guard let value = memo[index] else { throw corrupt("the pickle reads memo entry \(index), never stored") }
        push(value)
    }

    // MARK: scalars

    private mutating func raw(_ count: Int) throws -> [UInt8] { Array(try input.take(count, "a bytes value")) }
    private mutating func text(_ count: Int) throws -> String { String(decoding: try input.take(count, "a string"), as: UTF8.self) }
    private mutating func latin1(_ count: Int) throws -> String {
        String(String.UnicodeScalarView(try input.take(count, "a string").map { Unicode.Scalar($0) }))
    }

    private mutating func line() throws -> String {
        var bytes: [UInt8] = []
        while true {
            let b = try input.byte("a GLOBAL name")
            if b == 0x0A { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(b)
            guard bytes.count <= 256 else { throw corrupt("a GLOBAL name longer than 256 bytes") }
        }
    }

    private mutating func long(_ count: Int) throws -> PickleValue {
        guard (0 ... 32).contains(count) else { throw corrupt("an integer of \(count) bytes") }
        let bytes = try raw(count)
        guard count <= 8 else { return .bigInt(bytes) }
        guard count > 0 else { return .int(0) }
        var value: UInt64 = 0
        for (i, b) in bytes.enumerated() { value |= UInt64(b) << (8 * UInt64(i)) }
        let shift = UInt64(64 - 8 * count)
        return .int(Int(Int64(bitPattern: value << shift) >> Int64(shift))) // sign-extend
    }

    // MARK: containers

    /// Marks a value as placed inside another and returns its nesting depth.
    private func seal(_ value: PickleValue) throws -> Int {
        let depth: Int
        switch value {
        case .tuple(_, let d): depth = d
        case .list(let list): list.sealed = true; depth = list.depth
        case .dict(let dict): dict.sealed = true; depth = dict.depth
        default: depth = 0
        }
        guard depth < Self.maxDepth else { throw corrupt("values nested deeper than \(Self.maxDepth) levels") }
        return depth
    }

    private func makeTuple(_ items: [PickleValue]) throws -> PickleValue {
        var depth = 0
        for item in items { depth = max(depth, try seal(item)) }
        return .tuple(items, depth: depth + 1)
    }

    private mutating func tuple(count: Int) throws {
        guard stack.count - (marks.last ?? 0) >= count else { throw corrupt("a TUPLE\(count) without \(count) values") }
        let items = Array(stack.suffix(count))
        stack.removeLast(count)
        push(try makeTuple(items))
    }

    // The items are sealed before the target's seal is checked, so a container inserted into itself seals the
    // target and is refused like any other cycle.
    private func append(_ items: [PickleValue], to list: PickleList) throws {
        let depths = try items.map { try seal($0) }
        guard !list.sealed else { throw corrupt("a list is modified after being stored (recursive data)") }
        for depth in depths { list.depth = max(list.depth, depth + 1) }
        list.items += items
    }

    private func setItems(_ items: [PickleValue], in dict: PickleDict) throws {
        guard items.count % 2 == 0 else { throw corrupt("SETITEMS with an odd number of values") }
        let depths = try items.map { try seal($0) }
        guard !dict.sealed else { throw corrupt("a dict is modified after being stored (recursive data)") }
        for i in stride(from: 0, to: items.count, by: 2) {
            dict.depth = max(dict.depth, depths[i] + 1, depths[i + 1] + 1)
            dict.entries.append((items[i], items[i + 1]))
        }
    }

    // MARK: globals: the allow-list and what each one builds

    private func global(_ module: String, _ name: String) throws -> PickleValue {
        let qualified = "\(module).\(name)"
        guard Self.allowedGlobals.contains(qualified) else { throw WeightsError.forbiddenGlobal(file: file, global: qualified) }
        return .global(qualified)
    }

    private func call(_ callable: PickleValue, _ argsValue: PickleValue) throws -> PickleValue {
        guard case .global(let name) = callable else { throw corrupt("the pickle calls a \(callable.typeName)") }
        guard case .tuple(let args, _) = argsValue else { throw corrupt("\(name) is called without an argument tuple") }
        _ = try seal(argsValue)
        switch name {
        case "collections.OrderedDict":
            guard args.isEmpty else { throw corrupt("OrderedDict built from arguments") }
            return .dict(PickleDict())
        case "torch._utils._rebuild_tensor_v2":
            guard args.count >= 4, case .torchStorage(let storage) = args[0], let offset = args[1].asInt,
                  let size = args[2].asTuple?.compactMap(\.asInt), let stride = args[3].asTuple?.compactMap(\.asInt),
                  size.count == args[2].asTuple?.count, stride.count == size.count
            else { throw corrupt("_rebuild_tensor_v2 with unexpected arguments") }
            return .torchTensor(TorchTensor(storage: storage, offset: offset, size: size, stride: stride))
        case "torch._utils._rebuild_parameter":
            guard let tensor = args.first, case .torchTensor = tensor else { throw corrupt("_rebuild_parameter without a tensor") }
            return tensor
        case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct":
            guard case .global("numpy.ndarray")? = args.first else { throw corrupt("_reconstruct of something other than ndarray") }
            return .numpyArray(NumpyArray())
        case "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer": // protocol 5: (buffer, dtype, shape, order)
            guard args.count == 4, case .bytes(let data) = args[0], case .numpyDType(let dtype) = args[1],
                  let shape = args[2].asTuple?.compactMap(\.asInt), shape.count == args[2].asTuple?.count,
                  shape.allSatisfy({ $0 >= 0 }), let order = args[3].asString
            else { throw corrupt("_frombuffer with unexpected arguments") }
            let array = NumpyArray()
            (array.shape, array.dtype, array.fortranOrder, array.data, array.built) = (shape, dtype, order == "F", data, true)
            return .numpyArray(array)
        case "numpy.dtype":
            guard let code = args.first?.asString else { throw corrupt("numpy.dtype without a type code") }
            return .numpyDType(NumpyDType(code: code))
        case "_codecs.encode": // how protocol-2 pickles carry bytes: encode(str, "latin1")
            guard args.count == 2, let text = args[0].asString, args[1].asString == "latin1" else {
                throw corrupt("_codecs.encode with unexpected arguments")
            }
            var bytes: [UInt8] = []
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { throw corrupt("_codecs.encode of a non-latin1 string") }
                bytes.append(UInt8(scalar.value))
            }
            return .bytes(bytes)
        default:
            throw corrupt("the pickle calls \(name), which is a type, not a constructor")
        }
    }

    private func build(_ target: PickleValue, state: PickleValue) throws {
        _ = try seal(state)
        switch target {
        case .numpyArray(let array):
            // ndarray.__setstate__((version, shape, dtype, is_fortran, rawdata))
            guard !array.built, let s = state.asTuple, s.count == 5, let shape = s[1].asTuple,
                  case .numpyDType(let dtype) = s[2], case .bool(let fortran) = s[3]
            else { throw corrupt("a numpy array with an unexpected state") }
            array.shape = try shape.map {
                guard let n = $0.asInt, n >= 0 else { throw corrupt("a numpy array with a bad shape") }
                return n
            }
            switch s[4] {
            case .bytes(let data): array.data = data
            case .string(let text): array.data = Array(text.utf8) // never produced for numeric arrays
            default: throw corrupt("a numpy array whose data is a \(s[4].typeName) (object arrays are not allowed)")
            }
            array.dtype = dtype
            array.fortranOrder = fortran
            array.built = true
        case .numpyDType(let dtype):
            // dtype.__setstate__((version, byteorder, subarray, names, fields, elsize, alignment, flags))
            guard let s = state.asTuple, s.count >= 2, let order = s[1].asString, let c = order.first, order.count == 1
            else { throw corrupt("a numpy dtype with an unexpected state") }
            dtype.byteOrder = c
        case .dict:
            break // an OrderedDict's attributes (torch's `_metadata`): not needed for the weights
        default:
            throw corrupt("the pickle sets the state of a \(target.typeName)")
        }
    }
}
