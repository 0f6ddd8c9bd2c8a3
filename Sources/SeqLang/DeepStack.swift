// DeepStack.swift — runs work on a thread whose stack is deep enough for it, whatever thread
// the host calls from (a 512 KiB secondary thread, a debug build's large frames).
//
// The parser nests native frames as deep as the source nests (at most `Parser.maxDepth`
// levels), and a level's frames take a few hundred bytes in a release build but several
// kilobytes in a debug build or under AddressSanitizer. So `Parser.parse` runs on a thread
// with `parserStack` bytes; the interpreter runs scripts and checks on such threads too.
// Work already on a DeepStack thread with enough stack runs in place, without a new thread.

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
}
