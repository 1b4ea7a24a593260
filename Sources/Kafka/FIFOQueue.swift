/// A first-in first-out queue over an array with a moving head: O(1) amortised pops without
/// shifting elements on every pop. Storage is compacted once the consumed prefix dominates.
///
/// Slots are optional so that a pop moves the element out (`take()`) instead of copying it and
/// releasing the copy later: for records that is two reference-count operations per buffer saved
/// on every pop, and they are atomic operations on memory the other thread just wrote.
struct FIFOQueue<Element> {
    private var storage: [Element?] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }
    var first: Element? { isEmpty ? nil : storage[head] }
    /// The waiting elements, oldest first.
    var elements: some Sequence<Element> { storage[head...].lazy.map { $0! } }

    mutating func append(_ element: consuming Element) {
        storage.append(element)
    }

    mutating func append(contentsOf elements: some Sequence<Element>) {
        for element in elements { storage.append(element) }
    }

    mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head].take()
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024, head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Removes every waiting element for which `shouldRemove` is true, keeping the order of the rest.
    mutating func removeAll(where shouldRemove: (Element) -> Bool) {
        storage = storage[head...].filter { !shouldRemove($0!) }
        head = 0
    }
}

extension FIFOQueue: Sendable where Element: Sendable {}
