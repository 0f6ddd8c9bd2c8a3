// DeepStack.swift — runs work on a thread whose stack is deep enough for it, whatever thread
// the host calls from (a 512 KiB secondary thread, a debug build's large frames).
//
// The parser nests native frames as deep as the source nests (at most `Parser.maxDepth`
// levels), and a level's frames take a few hundred bytes in a release build but several
// kilobytes in a debug build or under AddressSanitizer. So `Parser.parse` runs on a thread
// with `parserStack` bytes; the interpreter runs scripts and checks on such threads too.
// Work already on a DeepStack thread with enough stack runs in place, without a new thread.
// A host inside the package that parses or checks over and over (the fuzz target) keeps one `DeepStack.Worker`, a thread that stays and runs one body after another,
// so no input pays for creating a thread and touching a fresh stack.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

package enum DeepStack {
    /// Bytes of stack `Parser.parse` runs with: the deepest accepted nesting takes a few MiB
    /// in a debug build under AddressSanitizer. Virtual memory: pages are touched only as used.
    package static let parserStack = 64 << 20

    /// The stack size of the DeepStack thread running the caller (a thread-specific value;
    /// nil on any other thread).
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Bytes of stack the calling thread was started with by `run`, or 0 on another thread.
    package static var currentStack: Int { Int(bitPattern: pthread_getspecific(key)) }

    /// Runs `body` on a new thread with a `bytes` stack and waits for it; in place when the
    /// caller is already a DeepStack thread with at least `bytes`, or when no thread can be
    /// created.
    package static func run(bytes: Int, _ body: () -> Void) {
        if currentStack >= bytes { return body() }
        withoutActuallyEscaping(body) { body in
            final class Work: @unchecked Sendable {
                let body: () -> Void, bytes: Int
                init(_ body: @escaping () -> Void, _ bytes: Int) { (self.body, self.bytes) = (body, bytes) }
            }
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            defer { pthread_attr_destroy(&attributes) }
            pthread_attr_setstacksize(&attributes, bytes)
            let work = Unmanaged.passRetained(Work(body, bytes))
            #if canImport(Glibc)
            var thread = pthread_t()
            #else
            var thread: pthread_t? = nil
            #endif
            let created = pthread_create(&thread, &attributes, { raw in
                let work = Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue()
                pthread_setspecific(DeepStack.key, UnsafeRawPointer(bitPattern: work.bytes))
                work.body()
                return nil
            }, work.toOpaque())
            if created != 0 {
                work.takeRetainedValue().body()
                return
            }
            #if canImport(Glibc)
            pthread_join(thread, nil)
            #else
            pthread_join(thread!, nil)
            #endif
        }
    }

    /// A DeepStack thread that stays: `run` hands it a body and waits until it has run. Bodies
    /// from several callers run one at a time. The thread ends (and is joined) when the worker
    /// is freed: it holds only the `Mailbox`, never the worker.
    package final class Worker: @unchecked Sendable {
        private let bytes: Int
        private let mailbox: Mailbox
        #if canImport(Glibc)
        private var thread = pthread_t()
        #else
        private var thread: pthread_t? = nil
        #endif
        private var started = false

        /// A worker whose thread has a `bytes` stack. If no thread can be created, `run` runs
        /// bodies on the caller's thread (through `DeepStack.run`).
        package init(bytes: Int) {
            self.bytes = bytes
            mailbox = Mailbox(bytes: bytes)
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            defer { pthread_attr_destroy(&attributes) }
            pthread_attr_setstacksize(&attributes, bytes)
            // The thread takes a reference to the mailbox and gives it back when it ends.
            let box = Unmanaged.passRetained(mailbox)
            started = pthread_create(&thread, &attributes, { raw in
                let mailbox = Unmanaged<Mailbox>.fromOpaque(raw!).takeRetainedValue()
                pthread_setspecific(DeepStack.key, UnsafeRawPointer(bitPattern: mailbox.bytes))
                mailbox.serve()
                return nil
            }, box.toOpaque()) == 0
            if started { return }
            box.release()
        }

        deinit {
            guard started else { return }
            mailbox.close()
            #if canImport(Glibc)
            pthread_join(thread, nil)
            #else
            pthread_join(thread!, nil)
            #endif
        }

        /// Runs `body` on the worker's thread and waits for it; in place when the caller is
        /// already a DeepStack thread with enough stack (the worker's own thread included).
        package func run(_ body: () -> Void) {
            guard started, DeepStack.currentStack < bytes else { return DeepStack.run(bytes: bytes, body) }
            withoutActuallyEscaping(body) { mailbox.hand($0) }
        }
    }

    /// What a `Worker`'s callers and its thread share, guarded by `lock`: the body handed over
    /// and not yet run, how many bodies were handed over and how many have run, and whether the
    /// thread should end.
    private final class Mailbox: @unchecked Sendable {
        private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        private var job: (() -> Void)?
        private var submitted = 0, completed = 0
        private var quit = false
        /// The worker's stack size, the thread's `currentStack`.
        let bytes: Int

        init(bytes: Int) {
            self.bytes = bytes
            pthread_mutex_init(lock, nil)
            pthread_cond_init(changed, nil)
        }

        deinit {
            pthread_cond_destroy(changed)
            pthread_mutex_destroy(lock)
            changed.deallocate()
            lock.deallocate()
        }

        /// Hands `body` to the thread and waits until it has run.
        func hand(_ body: @escaping () -> Void) {
            pthread_mutex_lock(lock)
            while job != nil { pthread_cond_wait(changed, lock) }
            job = body
            submitted += 1
            let ticket = submitted
            pthread_cond_broadcast(changed)
            while completed < ticket { pthread_cond_wait(changed, lock) }
            pthread_mutex_unlock(lock)
        }

        /// Tells the thread to end once no body is waiting.
        func close() {
            pthread_mutex_lock(lock)
            quit = true
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(lock)
        }

        /// The thread's loop: runs each body handed over until `close`. A body is released
        /// before its caller is told it has run (it may not outlive the call).
        func serve() {
            pthread_mutex_lock(lock)
            while true {
                while job == nil && !quit { pthread_cond_wait(changed, lock) }
                if job == nil { break }
                var body = job
                job = nil
                pthread_mutex_unlock(lock)
                body?()
                body = nil
                pthread_mutex_lock(lock)
                completed += 1
                pthread_cond_broadcast(changed)
            }
            pthread_mutex_unlock(lock)
        }
    }
}
