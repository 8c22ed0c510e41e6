// libFuzzer entry point for the control protocol's request decoder (built by scripts/fuzz-control).
// Every input must decode or be refused with an error; nothing may crash, hang or leak.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControlRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    // The server hands the decoder one line at a time (without its newline).
    for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
        switch RequestDecoder.decode(line) {
        case .success(let (command, request)):
            precondition(command.rawValue == request.command, "decoded command does not match")
            precondition(request.version == ControlProtocol.version)
            let reply = ControlResponse.success(["echo": .string(request.command)], id: request.id).encodedLine()
            precondition(reply.last == 0x0A && !reply.dropLast().contains(0x0A), "a response must be one line")
        case .failure(let error):
            let reply = ControlResponse(ok: false, error: error).encodedLine()
            precondition(reply.last == 0x0A && !reply.dropLast().contains(0x0A), "a response must be one line")
        }
    }
    return 0
}
