import ControlProtocol
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// ingestctl's exit codes (documented in README.md and docs/CONTROL_PROTOCOL.md).
enum ExitStatus {
    static let ok: Int32 = 0
    static let daemonError: Int32 = 1
    static let usage: Int32 = 2
    static let cannotConnect: Int32 = 3
    static let permissionDenied: Int32 = 4
}

/// A failure with the message to print and the exit code to leave with.
struct ClientFailure: Error {
    var message: String
    var status: Int32

    init(message: String, status: Int32) {
        self.message = message
        self.status = status
    }

    /// The daemon refused: exit 4 for permission, 1 for anything else.
    init(_ error: ControlError) {
        self.init(
            message: error.message,
            status: error.code == .permissionDenied ? ExitStatus.permissionDenied : ExitStatus.daemonError)
    }
}

/// A blocking client for the control socket: one connection, requests and responses as lines.
final class ControlClient {
    let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects, or fails with a message that says what is wrong and how to check the service.
    init(path: String) throws(ClientFailure) {
        self.path = path
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw ClientFailure(message: "socket path too long: \(path)", status: ExitStatus.usage)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw ClientFailure(
                message: "socket: \(String(cString: strerror(errno)))", status: ExitStatus.cannotConnect)
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result != 0 {
            let code = errno
            close(fd)
            let check = "Check the service with: systemctl status ingestd (or pass --socket / set INGESTCTL_SOCKET)"
            let message: String
            switch code {
            case ENOENT:
                message = "no control socket at \(path): ingestd is not running, or uses another socket path.\n\(check)"
            case ECONNREFUSED:
                message = "nothing is listening on \(path) (a stale socket?): ingestd is not running.\n\(check)"
            case EACCES, EPERM:
                message =
                    "not permitted to connect to \(path): join the daemon's group (e.g. ingestd) or use sudo.\nCheck: ls -l \(path)"
            default:
                message = "cannot connect to \(path): \(String(cString: strerror(code))).\n\(check)"
            }
            throw ClientFailure(message: message, status: ExitStatus.cannotConnect)
        }
    }

    deinit { close(fd) }

    /// Sends `command` and waits for its response line.
    func request(_ command: ControlCommand, timeout: Double) throws(ClientFailure) -> ControlResponse {
        var line = (try? JSONEncoder().encode(ControlRequest(command: command))).map(Array.init) ?? []
        line.append(0x0A)
        var sent = 0
        while sent < line.count {
            let n = line.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ClientFailure(
                    message: "lost the connection to \(path): \(String(cString: strerror(errno)))",
                    status: ExitStatus.cannotConnect)
            }
            sent += n
        }
        guard let reply = try readLine(timeout: timeout) else {
            throw ClientFailure(
                message: "ingestd closed the connection without answering", status: ExitStatus.daemonError)
        }
        guard let response = try? JSONDecoder().decode(ControlResponse.self, from: Data(reply)) else {
            throw ClientFailure(message: "ingestd sent an unreadable response", status: ExitStatus.daemonError)
        }
        return response
    }

    /// The next line from the daemon (without its newline), nil at the end of the stream.
    func readLine(timeout: Double?) throws(ClientFailure) -> ArraySlice<UInt8>? {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[..<newline]
                buffer.removeSubrange(...newline)
                return line
            }
            if let timeout {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, Int32(timeout * 1000))
                if ready == 0 {
                    throw ClientFailure(
                        message: "ingestd did not answer within \(Int(timeout)) s", status: ExitStatus.daemonError)
                }
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ClientFailure(
                    message: "lost the connection to \(path): \(String(cString: strerror(errno)))",
                    status: ExitStatus.cannotConnect)
            }
            if n == 0 { return buffer.isEmpty ? nil : buffer[...] }
            buffer += chunk[0..<n]
        }
    }
}
