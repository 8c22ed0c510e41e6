public import ControlProtocol
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Who is on the other end of a connection (SO_PEERCRED).
public struct PeerCredentials: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
}

/// How a command handler answers: once, or by starting a stream (`tail`).
public struct ControlReply: Sendable {
    let respond: @Sendable (ControlResponse, Bool) -> Void

    /// Sends the response; the connection stays open for further requests.
    public func send(_ response: ControlResponse) { respond(response, false) }

    /// Sends the response and turns the connection into a stream of broadcast lines.
    public func startStream(_ response: ControlResponse) { respond(response, true) }
}

/// Answers commands. Called on the server's queue: hand anything slow to another queue and reply
/// from there. Never block.
public protocol ControlHandler: Sendable {
    func handle(_ command: ControlCommand, request: ControlRequest, peer: PeerCredentials, reply: ControlReply)
}

/// A Unix-domain stream socket speaking the control protocol. It enforces the limits (request
/// size, read timeout, connection count, per-stream buffer) and never blocks the caller: all
/// socket work happens on its own queue with non-blocking descriptors.
public final class ControlServer: @unchecked Sendable {
    public struct Limits: Sendable {
        public var maxRequestBytes = ControlProtocol.defaultMaxRequestBytes
        public var readTimeoutSeconds = 5.0
        public var maxConnections = 64
        /// A streaming reader further behind than this is dropped with a notice.
        public var maxStreamBufferBytes = 4 << 20

        public init() {}
    }

    public struct SocketError: Error, CustomStringConvertible {
        public var description: String
    }

    public let path: String
    private let limits: Limits
    private let handler: any ControlHandler
    private let queue = DispatchQueue(label: "ingestd.control-socket")
    private let streamingCount = Atomic<Int>(0)

    // On `queue`.
    private var listenSource: (any DispatchSourceRead)?
    private var connections: [ObjectIdentifier: Connection] = [:]
    private var sweepTimer: (any DispatchSourceTimer)?
    private var refusedLog: (@Sendable (String) -> Void)?

    public init(path: String, limits: Limits = Limits(), handler: any ControlHandler) {
        self.path = path
        self.limits = limits
        self.handler = handler
    }

    /// Called with a sentence whenever a client is refused (limits, timeouts); for the log.
    public func onRefusal(_ log: @escaping @Sendable (String) -> Void) {
        queue.sync { refusedLog = log }
    }

    /// Binds and listens. A stale socket file is replaced; a live server on `path` is an error.
    public func start() throws(SocketError) {
        try Self.checkDirectory(path)
        if access(path, F_OK) == 0 {
            if Self.somebodyAnswers(path) {
                throw SocketError(description: "another process is answering on \(path) (is another ingestd running?)")
            }
            unlink(path)
        }
        let fd = socket(
            AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(description: "socket: \(String(cString: strerror(errno)))") }
        guard var address = Self.address(path) else {
            close(fd)
            throw SocketError(description: "socket path too long: \(path)")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, chmod(path, 0o660) == 0, listen(fd, 128) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw SocketError(description: "cannot listen on \(path): \(message)")
        }
        queue.sync {
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
            source.setEventHandler { [weak self] in self?.acceptAll(fd) }
            source.setCancelHandler { close(fd) }
            listenSource = source
            source.resume()
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + 0.5, repeating: 0.5)
            timer.setEventHandler { [weak self] in self?.sweepTimeouts() }
            sweepTimer = timer
            timer.resume()
        }
    }

    /// Stops listening, closes every connection and removes the socket file.
    public func stop() {
        queue.sync {
            listenSource?.cancel()
            listenSource = nil
            sweepTimer?.cancel()
            for connection in connections.values { connection.close() }
            connections.removeAll()
        }
        unlink(path)
    }

    /// True while at least one client streams (so callers can skip copying data nobody reads).
    public var hasStreams: Bool { streamingCount.load(ordering: .relaxed) > 0 }

    /// Appends `bytes` (complete lines) to every streaming connection. Never blocks.
    public func broadcast(_ bytes: [UInt8]) {
        guard hasStreams else { return }
        queue.async { [self] in
            for connection in connections.values where connection.streaming {
                if connection.pendingBytes + bytes.count > limits.maxStreamBufferBytes {
                    refusedLog?(
                        "dropped a tail reader (pid \(connection.peer.pid)) that fell \(connection.pendingBytes) bytes behind"
                    )
                    connection.stopStreaming(
                        notice: "dropped: this reader fell more than \(limits.maxStreamBufferBytes) bytes behind")
                    streamingCount.subtract(1, ordering: .relaxed)
                } else {
                    connection.enqueue(bytes)
                }
            }
        }
    }

    // MARK: - Connections (on `queue`)

    private func acceptAll(_ listenFD: Int32) {
        while true {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return  // EAGAIN (drained), or EMFILE: the next readiness event retries
            }
            // accept4 and struct ucred sit behind _GNU_SOURCE; nothing here forks, so setting the
            // flags after accept is as good.
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var credentials = PeerCred()
            var length = socklen_t(MemoryLayout<PeerCred>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else {
                close(fd)
                continue
            }
            let peer = PeerCredentials(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid)
            if connections.count >= limits.maxConnections, let idle = oldestSilentConnection() {
                // Make room: a client that connected and never sent a request (slow or idle)
                // yields to the new one, so idle connections cannot lock operators out.
                refusedLog?("closed an idle control connection from pid \(idle.peer.pid) to make room")
                idle.deadline = nil
                idle.send(ControlResponse.failure(.busy, "closed to make room: no request was sent").encodedLine())
                idle.closeAfterFlush()
                connections[ObjectIdentifier(idle)] = nil
            }
            if connections.count >= limits.maxConnections {
                // Best effort, never blocking: the client learns why, the daemon goes on.
                let line = ControlResponse.failure(
                    .busy, "too many connections (limit \(limits.maxConnections)); try again"
                ).encodedLine()
                _ = line.withUnsafeBytes {
                    send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                }
                close(fd)
                refusedLog?(
                    "refused a control connection from pid \(peer.pid): \(limits.maxConnections) connections open")
                continue
            }
            let connection = Connection(fd: fd, peer: peer, queue: queue, deadline: deadline())
            connection.onLine = { [weak self, unowned connection] line in self?.received(line, on: connection) }
            connection.onClosed = { [weak self, unowned connection] in self?.closed(connection) }
            connection.onOverflow = { [weak self, unowned connection] in self?.overflowed(connection) }
            connection.maxLineBytes = limits.maxRequestBytes
            connections[ObjectIdentifier(connection)] = connection
            connection.start()
        }
    }

    /// The connection that has waited longest without sending a request, if any.
    private func oldestSilentConnection() -> Connection? {
        connections.values.filter { !$0.sentRequest && !$0.awaitingReply && !$0.streaming && !$0.isClosing }
            .min { ($0.deadline ?? .max) < ($1.deadline ?? .max) }
    }

    private func deadline() -> UInt64 {
        DispatchTime.now().uptimeNanoseconds + UInt64(limits.readTimeoutSeconds * 1e9)
    }

    private func received(_ line: ArraySlice<UInt8>, on connection: Connection) {
        guard !connection.streaming, !connection.awaitingReply else { return }  // one request at a time
        connection.sentRequest = true
        switch RequestDecoder.decode(line) {
        case .failure(let error):
            refusedLog?("refused a control request from pid \(connection.peer.pid): \(error.message)")
            connection.send(ControlResponse(ok: false, error: error).encodedLine())
            connection.deadline = deadline()
        case .success(let (command, request)):
            connection.awaitingReply = true
            connection.deadline = nil  // the handler may take its time (verify)
            let reply = ControlReply { [weak self, weak connection] response, stream in
                guard let self, let connection else { return }
                self.queue.async {
                    guard !connection.isClosed else { return }
                    connection.awaitingReply = false
                    connection.send(response.encodedLine())
                    if stream && response.ok {
                        connection.streaming = true
                        self.streamingCount.add(1, ordering: .relaxed)
                    } else {
                        connection.deadline = self.deadline()
                    }
                }
            }
            handler.handle(command, request: request, peer: connection.peer, reply: reply)
        }
    }

    private func overflowed(_ connection: Connection) {
        refusedLog?(
            "refused a control request from pid \(connection.peer.pid): longer than \(limits.maxRequestBytes) bytes")
        connection.send(
            ControlResponse.failure(.tooLarge, "request longer than \(limits.maxRequestBytes) bytes").encodedLine())
        connection.closeAfterFlush()
    }

    private func closed(_ connection: Connection) {
        if connection.streaming { streamingCount.subtract(1, ordering: .relaxed) }
        connection.streaming = false
        connections[ObjectIdentifier(connection)] = nil
    }

    private func sweepTimeouts() {
        let now = DispatchTime.now().uptimeNanoseconds
        for connection in connections.values {
            guard let deadline = connection.deadline, deadline <= now else { continue }
            connection.deadline = nil
            if connection.hasPartialLine {
                refusedLog?(
                    "closed a control connection from pid \(connection.peer.pid): no complete request within \(limits.readTimeoutSeconds)s"
                )
                connection.send(
                    ControlResponse.failure(.timeout, "no complete request line within \(limits.readTimeoutSeconds) s")
                        .encodedLine())
            }
            connection.closeAfterFlush()
        }
    }

    // MARK: - Helpers

    static func address(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return address
    }

    /// True if something accepts connections on `path`.
    static func somebodyAnswers(_ path: String) -> Bool {
        guard var address = address(path) else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        } == 0
    }

    /// Creates the socket's directory (0750) if it is missing.
    static func checkDirectory(_ path: String) throws(SocketError) {
        let directory = "/" + path.split(separator: "/").dropLast().joined(separator: "/")
        var current = ""
        for component in directory.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o750) != 0 && errno != EEXIST {
                throw SocketError(description: "cannot create \(current): \(String(cString: strerror(errno)))")
            }
        }
    }
}

/// `struct ucred` from <sys/socket.h> (pid_t, uid_t, gid_t).
private struct PeerCred {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// One client connection: a non-blocking descriptor with a read source, a write source used only
/// while output is pending, an input line buffer and a bounded output buffer.
final class Connection: @unchecked Sendable {  // confined to the server's queue
    let fd: Int32
    let peer: PeerCredentials
    private let queue: DispatchQueue
    private var readSource: (any DispatchSourceRead)?
    private var writeSource: (any DispatchSourceWrite)?
    /// Dispatch traps on unbalanced resume/suspend: track the write source's state.
    private var writeSuspended = true
    private var input: [UInt8] = []
    private var output: [UInt8] = []
    private var outputOffset = 0
    private var closeWhenFlushed = false
    private var cancelled = 0
    private(set) var isClosed = false
    var streaming = false
    var awaitingReply = false
    var deadline: UInt64?
    /// Set once a request line arrived: a connection that never sent one may be evicted.
    var sentRequest = false
    var maxLineBytes = ControlProtocol.defaultMaxRequestBytes
    var onLine: ((ArraySlice<UInt8>) -> Void)?
    var onClosed: (() -> Void)?
    var onOverflow: (() -> Void)?

    init(fd: Int32, peer: PeerCredentials, queue: DispatchQueue, deadline: UInt64) {
        self.fd = fd
        self.peer = peer
        self.queue = queue
        self.deadline = deadline
    }

    var pendingBytes: Int { output.count - outputOffset }
    var isClosing: Bool { isClosed || closeWhenFlushed }
    var hasPartialLine: Bool { !input.isEmpty || !awaitingReply }

    func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.readAvailable() }
        // Strong: the connection must live until its descriptor is closed here.
        source.setCancelHandler { self.cancelledOne() }
        readSource = source
        source.resume()
    }

    private func readAvailable() {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while !isClosed {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return }
                close()
                return
            }
            if n == 0 {  // the client left
                close()
                return
            }
            if streaming || closeWhenFlushed { continue }  // nothing more is read from a stream
            input.append(contentsOf: chunk[0..<n])
            while let newline = input.firstIndex(of: 0x0A) {
                let line = input[..<newline]
                input.removeSubrange(...newline)
                onLine?(line)
                if isClosed || closeWhenFlushed { return }
            }
            if input.count > maxLineBytes {
                input.removeAll()
                onOverflow?()
                return
            }
        }
    }

    func send(_ bytes: [UInt8]) {
        enqueue(bytes)
    }

    func enqueue(_ bytes: [UInt8]) {
        guard !isClosed else { return }
        if outputOffset > 0 && outputOffset >= output.count / 2 {
            output.removeFirst(outputOffset)
            outputOffset = 0
        }
        output.append(contentsOf: bytes)
        flush()
    }

    func stopStreaming(notice: String) {
        streaming = false
        output.removeAll()
        outputOffset = 0
        enqueue(ControlResponse.notice(notice).encodedLine())
        closeAfterFlush()
    }

    func closeAfterFlush() {
        closeWhenFlushed = true
        if pendingBytes == 0 { close() }
    }

    private func flush() {
        while pendingBytes > 0 {
            let n = output.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + outputOffset, pendingBytes, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    armWriteSource()
                    return
                }
                close()
                return
            }
            outputOffset += n
        }
        output.removeAll(keepingCapacity: output.capacity <= 64 * 1024)
        outputOffset = 0
        if let writeSource, !writeSuspended {
            writeSuspended = true
            writeSource.suspend()
        }
        if closeWhenFlushed { close() }
    }

    private func armWriteSource() {
        if writeSource == nil {
            let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
            source.setEventHandler { [weak self] in self?.flush() }
            source.setCancelHandler { self.cancelledOne() }
            writeSource = source
        }
        if writeSuspended {
            writeSuspended = false
            writeSource?.resume()
        }
    }

    /// Cancels both sources; the descriptor is closed once both cancel handlers have run.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        onClosed?()
        readSource?.cancel()
        if let writeSource {
            if writeSuspended {  // a suspended source never runs its cancel handler
                writeSuspended = false
                writeSource.resume()
            }
            writeSource.cancel()
        }
    }

    private func cancelledOne() {
        cancelled += 1
        if cancelled == (writeSource == nil ? 1 : 2) {
            Glibc.close(fd)
            readSource = nil  // breaks the source -> handler -> connection cycle
            writeSource = nil
            onLine = nil
            onClosed = nil
            onOverflow = nil
        }
    }
}
