package horde

// The canonical ABI of the world horde:scenario/scenario@0.2.0 for wasm32, by hand: wit-bindgen's
// Go generator needs the Go module go.bytecodealliance.org/pkg, which this project's build
// machines cannot fetch (docs/languages/go.md). Every offset below is the layout wit-bindgen
// gives the same records for C (pointers and lengths are 4 bytes, u64 aligned to 8); the
// conformance test (tests/e2e/languages.rs) checks the result against the Rust SDK, and the
// state tests (tests/e2e/state.rs) run the Go ports of the data and shared-state probes.

import (
	"time"
	"unsafe"
)

//go:wasmimport horde:scenario/http@0.2.0 send
func witSend(request unsafe.Pointer, result unsafe.Pointer)

//go:wasmimport horde:scenario/http@0.2.0 mark-failed
func witMarkFailed(id uint64, reason unsafe.Pointer, reasonLen uint32)

//go:wasmimport horde:scenario/http@0.2.0 mark-passed
func witMarkPassed(id uint64)

//go:wasmimport horde:scenario/context@0.2.0 vu-id
func witVuID() uint32

//go:wasmimport horde:scenario/context@0.2.0 iteration
func witIteration() uint64

//go:wasmimport horde:scenario/context@0.2.0 env
func witEnv(key unsafe.Pointer, keyLen uint32, result unsafe.Pointer)

//go:wasmimport horde:scenario/context@0.2.0 elapsed-us
func witElapsedUs() uint64

//go:wasmimport horde:scenario/context@0.2.0 unix-time-ms
func witUnixTimeMs() uint64

//go:wasmimport horde:scenario/context@0.2.0 random-u64
func witRandomU64() uint64

//go:wasmimport horde:scenario/context@0.2.0 log
func witLog(level uint32, message unsafe.Pointer, messageLen uint32)

//go:wasmimport horde:scenario/context@0.2.0 sleep
func witSleep(ms uint64)

//go:wasmimport horde:scenario/data@0.2.0 describe
func witDescribe(name unsafe.Pointer, nameLen uint32, result unsafe.Pointer)

//go:wasmimport horde:scenario/data@0.2.0 read
func witRead(name unsafe.Pointer, nameLen uint32, mode uint32, result unsafe.Pointer)

//go:wasmimport horde:scenario/shared@0.2.0 setup-value
func witSetupValue(result unsafe.Pointer)

//go:wasmimport horde:scenario/shared@0.2.0 counter-add
func witSharedCounterAdd(name unsafe.Pointer, nameLen uint32, delta int64, result unsafe.Pointer)

//go:wasmimport horde:scenario/shared@0.2.0 counter-get
func witSharedCounterGet(name unsafe.Pointer, nameLen uint32) int64

//go:wasmimport horde:scenario/shared@0.2.0 get
func witSharedGet(key unsafe.Pointer, keyLen uint32, result unsafe.Pointer)

//go:wasmimport horde:scenario/shared@0.2.0 set
func witSharedSet(key unsafe.Pointer, keyLen uint32, value unsafe.Pointer, valueLen uint32,
	hasTTL uint32, ttlMs uint64, result unsafe.Pointer)

//go:wasmimport horde:scenario/shared@0.2.0 compare-and-swap
func witSharedCompareAndSwap(key unsafe.Pointer, keyLen uint32,
	hasExpected uint32, expected unsafe.Pointer, expectedLen uint32,
	value unsafe.Pointer, valueLen uint32, hasTTL uint32, ttlMs uint64, result unsafe.Pointer)

//go:wasmimport horde:scenario/shared@0.2.0 delete
func witSharedDelete(key unsafe.Pointer, keyLen uint32) uint32

//go:wasmimport horde:scenario/metrics@0.2.0 check
func witCheck(name unsafe.Pointer, nameLen uint32, ok uint32, tags unsafe.Pointer, tagsLen uint32) uint32

//go:wasmimport horde:scenario/metrics@0.2.0 counter-add
func witMetricCounterAdd(name unsafe.Pointer, nameLen uint32, value float64, tags unsafe.Pointer, tagsLen uint32)

//go:wasmimport horde:scenario/metrics@0.2.0 gauge-set
func witMetricGaugeSet(name unsafe.Pointer, nameLen uint32, value float64, tags unsafe.Pointer, tagsLen uint32)

//go:wasmimport horde:scenario/metrics@0.2.0 rate-add
func witMetricRateAdd(name unsafe.Pointer, nameLen uint32, value uint32, tags unsafe.Pointer, tagsLen uint32)

//go:wasmimport horde:scenario/metrics@0.2.0 trend-add
func witMetricTrendAdd(name unsafe.Pointer, nameLen uint32, value float64, tags unsafe.Pointer, tagsLen uint32)

// Memory the engine allocates in the guest (cabi_realloc) for what it returns: kept alive
// until the values are copied into Go, then released.
var hostAllocations [][]uint64

//go:wasmexport cabi_realloc
func cabiRealloc(old unsafe.Pointer, oldSize, align, newSize uint32) unsafe.Pointer {
	words := make([]uint64, (newSize+7)/8+1)
	if old != nil && oldSize > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), oldSize), unsafe.Slice((*byte)(old), oldSize))
	}
	hostAllocations = append(hostAllocations, words)
	return unsafe.Pointer(&words[0])
}

func releaseHostAllocations() { hostAllocations = hostAllocations[:0] }

// An 8-aligned scratch area of n bytes, kept alive by the caller.
func area(n int) []uint64 { return make([]uint64, (n+7)/8) }

func at(base unsafe.Pointer, offset uintptr) unsafe.Pointer { return unsafe.Add(base, offset) }

func put8(base unsafe.Pointer, offset uintptr, v uint8)   { *(*uint8)(at(base, offset)) = v }
func put32(base unsafe.Pointer, offset uintptr, v uint32) { *(*uint32)(at(base, offset)) = v }
func put64(base unsafe.Pointer, offset uintptr, v uint64) { *(*uint64)(at(base, offset)) = v }
func get8(base unsafe.Pointer, offset uintptr) uint8      { return *(*uint8)(at(base, offset)) }
func get16(base unsafe.Pointer, offset uintptr) uint16    { return *(*uint16)(at(base, offset)) }
func get32(base unsafe.Pointer, offset uintptr) uint32    { return *(*uint32)(at(base, offset)) }
func get64(base unsafe.Pointer, offset uintptr) uint64    { return *(*uint64)(at(base, offset)) }

// A guest address as the ABI passes it (linear memory is below 4 GiB).
func addr(p unsafe.Pointer) uint32 { return uint32(uintptr(p)) }

// The (pointer, length) of a Go string's bytes; the string must stay reachable during the call.
func str(s string) (uint32, uint32) {
	if len(s) == 0 {
		return 0, 0
	}
	return addr(unsafe.Pointer(unsafe.StringData(s))), uint32(len(s))
}

func bytesAt(p, n uint32) []byte {
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(uintptr(p))), n)
}

// A copy of the string the engine wrote at (p, n).
func stringAt(p, n uint32) string { return string(bytesAt(p, n)) }

// A copy of the list<string> the engine wrote at (p, n): n (ptr, len) pairs of 8 bytes.
func stringsAt(p, n uint32) []string {
	out := make([]string, n)
	for i := uint32(0); i < n; i++ {
		e := ptr(p + 8*i)
		out[i] = stringAt(get32(e, 0), get32(e, 4))
	}
	return out
}

// A copy of the list<u8> the engine wrote at (p, n); never nil.
func bytesCopy(p, n uint32) []byte { return append([]byte{}, bytesAt(p, n)...) }

// A string or byte slice as the two flat parameters (pointer, length) of an import; the value
// must stay reachable during the call (keepAlive).
func strArg(s string) (unsafe.Pointer, uint32) {
	if len(s) == 0 {
		return nil, 0
	}
	return unsafe.Pointer(unsafe.StringData(s)), uint32(len(s))
}

func bytesArg(b []byte) (unsafe.Pointer, uint32) {
	if len(b) == 0 {
		return nil, 0
	}
	return unsafe.Pointer(unsafe.SliceData(b)), uint32(len(b))
}

// An option<u64> time to live as its flat parameters (tag, value): none for ttl <= 0, else
// whole milliseconds, at least 1.
func ttlArg(ttl time.Duration) (uint32, uint64) {
	if ttl <= 0 {
		return 0, 0
	}
	ms := uint64(ttl / time.Millisecond)
	if ms == 0 {
		ms = 1
	}
	return 1, ms
}

// The request record: method@0, url@4/8, headers@12/16 (16-byte tuples of two strings),
// body option@20 (ptr@24 len@28), name option@32 (ptr@36 len@40), expect-status@44/48
// (u16 each), timeout-ms option@52 (value@56), want-body@60, want-headers@61.
// The result: tag@0; ok: id@8, status@16, headers option@20 (ptr@24 len@28), body option@32
// (ptr@36 len@40), elapsed-us@48, ok@56; err: variant tag@8, string ptr@12 len@16.
func send(r *Request) (*Response, error) {
	keep := make([]any, 0, 8) // everything the engine reads during the call
	request := area(64)
	base := unsafe.Pointer(&request[0])
	put8(base, 0, uint8(r.method))
	p, n := str(r.url)
	put32(base, 4, p)
	put32(base, 8, n)
	if len(r.headers) > 0 {
		tuples := area(16 * len(r.headers))
		tb := unsafe.Pointer(&tuples[0])
		for i, h := range r.headers {
			kp, kn := str(h[0])
			vp, vn := str(h[1])
			put32(tb, uintptr(16*i), kp)
			put32(tb, uintptr(16*i+4), kn)
			put32(tb, uintptr(16*i+8), vp)
			put32(tb, uintptr(16*i+12), vn)
		}
		keep = append(keep, tuples)
		put32(base, 12, addr(tb))
		put32(base, 16, uint32(len(r.headers)))
	}
	if r.body != nil {
		put8(base, 20, 1)
		if len(r.body) > 0 {
			put32(base, 24, addr(unsafe.Pointer(&r.body[0])))
		}
		put32(base, 28, uint32(len(r.body)))
	}
	if r.name != "" {
		put8(base, 32, 1)
		p, n := str(r.name)
		put32(base, 36, p)
		put32(base, 40, n)
	}
	if len(r.expect) > 0 {
		put32(base, 44, addr(unsafe.Pointer(&r.expect[0])))
		put32(base, 48, uint32(len(r.expect)))
	}
	if r.timeoutMs > 0 {
		put8(base, 52, 1)
		put32(base, 56, r.timeoutMs)
	}
	if r.wantBody {
		put8(base, 60, 1)
	}
	if r.wantHeaders {
		put8(base, 61, 1)
	}
	result := area(64)
	rb := unsafe.Pointer(&result[0])
	witSend(base, rb)
	defer releaseHostAllocations()
	keepAlive(keep, r)
	if get8(rb, 0) == 1 {
		kind := errorKinds[get8(rb, 8)]
		detail := ""
		if kind != "timeout" && kind != "cancelled" {
			detail = stringAt(get32(rb, 12), get32(rb, 16))
		}
		return nil, &HTTPError{Kind: kind, Detail: detail}
	}
	response := &Response{
		id:        get64(rb, 8),
		Status:    int(get16(rb, 16)),
		ElapsedUs: get64(rb, 48),
		OK:        get8(rb, 56) == 1,
	}
	if get8(rb, 20) == 1 {
		list, count := get32(rb, 24), get32(rb, 28)
		response.Headers = make(map[string]string, count)
		for i := uint32(0); i < count; i++ {
			t := unsafe.Pointer(uintptr(list + 16*i))
			response.Headers[stringAt(get32(t, 0), get32(t, 4))] = stringAt(get32(t, 8), get32(t, 12))
		}
	}
	if get8(rb, 32) == 1 {
		response.Body = append([]byte(nil), bytesAt(get32(rb, 36), get32(rb, 40))...)
	}
	return response, nil
}

var errorKinds = [...]string{"timeout", "connect", "tls", "invalid-request", "protocol", "cancelled"}

//go:noinline
func keepAlive(values ...any) {}

func ptr(p uint32) unsafe.Pointer { return unsafe.Pointer(uintptr(p)) }

func env(key string) (string, bool) {
	result := area(12)
	rb := unsafe.Pointer(&result[0])
	p, n := str(key)
	witEnv(unsafe.Pointer(uintptr(p)), n, rb)
	defer releaseHostAllocations()
	keepAlive(key)
	if get8(rb, 0) == 0 {
		return "", false
	}
	return stringAt(get32(rb, 4), get32(rb, 8)), true
}

func logLine(level Level, message string) {
	p, n := str(message)
	witLog(uint32(level), unsafe.Pointer(uintptr(p)), n)
	keepAlive(message)
}

// ---- data -------------------------------------------------------------------------------

// result<set-info, data-error> and result<row, data-error> (24 bytes, aligned to 8): tag@0;
// ok: a u64@8 (rows or index) and a list<string>@16/20 (columns or fields); err: the
// data-error variant's tag@8 (0 unknown-set, 1 exhausted) and its string@12/16.

func dataError(rb unsafe.Pointer) error {
	kind := ErrUnknownSet
	if get8(rb, 8) == 1 {
		kind = ErrExhausted
	}
	return &DataError{Kind: kind, Message: stringAt(get32(rb, 12), get32(rb, 16))}
}

func describe(set string) (SetInfo, error) {
	result := area(24)
	rb := unsafe.Pointer(&result[0])
	p, n := strArg(set)
	witDescribe(p, n, rb)
	defer releaseHostAllocations()
	keepAlive(set)
	if get8(rb, 0) == 1 {
		return SetInfo{}, dataError(rb)
	}
	return SetInfo{Rows: get64(rb, 8), Columns: stringsAt(get32(rb, 16), get32(rb, 20))}, nil
}

func read(set string, mode Mode) (index uint64, fields []string, err error) {
	result := area(24)
	rb := unsafe.Pointer(&result[0])
	p, n := strArg(set)
	witRead(p, n, uint32(mode), rb)
	defer releaseHostAllocations()
	keepAlive(set)
	if get8(rb, 0) == 1 {
		return 0, nil, dataError(rb)
	}
	return get64(rb, 8), stringsAt(get32(rb, 16), get32(rb, 20)), nil
}

// ---- shared ------------------------------------------------------------------------------

// list<u8>: ptr@0 len@4.
func setupValue() []byte {
	result := area(8)
	rb := unsafe.Pointer(&result[0])
	witSetupValue(rb)
	defer releaseHostAllocations()
	return bytesCopy(get32(rb, 0), get32(rb, 4))
}

// result<s64, shared-error> (24 bytes): tag@0; ok: s64@8; err: variant tag@8, string@12/16.
func sharedCounterAdd(name string, delta int64) (int64, error) {
	result := area(24)
	rb := unsafe.Pointer(&result[0])
	p, n := strArg(name)
	witSharedCounterAdd(p, n, delta, rb)
	defer releaseHostAllocations()
	keepAlive(name)
	if get8(rb, 0) == 1 {
		return 0, &LimitError{Message: stringAt(get32(rb, 12), get32(rb, 16))}
	}
	return int64(get64(rb, 8)), nil
}

func sharedCounterGet(name string) int64 {
	p, n := strArg(name)
	v := witSharedCounterGet(p, n)
	keepAlive(name)
	return v
}

// option<list<u8>>: tag@0, ptr@4 len@8.
func sharedGet(key string) ([]byte, bool) {
	result := area(12)
	rb := unsafe.Pointer(&result[0])
	p, n := strArg(key)
	witSharedGet(p, n, rb)
	defer releaseHostAllocations()
	keepAlive(key)
	if get8(rb, 0) == 0 {
		return nil, false
	}
	return bytesCopy(get32(rb, 4), get32(rb, 8)), true
}

// result<_, shared-error> (16 bytes): tag@0; err: variant tag@4, string@8/12.
func sharedSet(key string, value []byte, ttl time.Duration) error {
	result := area(16)
	rb := unsafe.Pointer(&result[0])
	kp, kn := strArg(key)
	vp, vn := bytesArg(value)
	hasTTL, ms := ttlArg(ttl)
	witSharedSet(kp, kn, vp, vn, hasTTL, ms, rb)
	defer releaseHostAllocations()
	keepAlive(key, value)
	if get8(rb, 0) == 1 {
		return &LimitError{Message: stringAt(get32(rb, 8), get32(rb, 12))}
	}
	return nil
}

// expected: option<list<u8>> as (tag, ptr, len), none when expected is nil.
// result<bool, shared-error> (16 bytes): tag@0; ok: bool@4; err: variant tag@4, string@8/12.
func sharedCompareAndSwap(key string, expected, value []byte, ttl time.Duration) (bool, error) {
	result := area(16)
	rb := unsafe.Pointer(&result[0])
	kp, kn := strArg(key)
	hasExpected := uint32(0)
	if expected != nil {
		hasExpected = 1
	}
	ep, en := bytesArg(expected)
	vp, vn := bytesArg(value)
	hasTTL, ms := ttlArg(ttl)
	witSharedCompareAndSwap(kp, kn, hasExpected, ep, en, vp, vn, hasTTL, ms, rb)
	defer releaseHostAllocations()
	keepAlive(key, expected, value)
	if get8(rb, 0) == 1 {
		return false, &LimitError{Message: stringAt(get32(rb, 8), get32(rb, 12))}
	}
	return get8(rb, 4) == 1, nil
}

func sharedDelete(key string) bool {
	p, n := strArg(key)
	deleted := witSharedDelete(p, n)
	keepAlive(key)
	return deleted != 0
}

// ---- metrics -----------------------------------------------------------------------------

// tags lowers list<tuple<string, string>>: 16 bytes per tag (key ptr, len, value ptr, len).
// The area and the tags must stay reachable during the call (keepAlive).
func tagsArg(tags []Tag) ([]uint64, unsafe.Pointer, uint32) {
	if len(tags) == 0 {
		return nil, nil, 0
	}
	list := area(16 * len(tags))
	lb := unsafe.Pointer(&list[0])
	for i, t := range tags {
		kp, kn := str(t[0])
		vp, vn := str(t[1])
		put32(lb, uintptr(16*i), kp)
		put32(lb, uintptr(16*i+4), kn)
		put32(lb, uintptr(16*i+8), vp)
		put32(lb, uintptr(16*i+12), vn)
	}
	return list, lb, uint32(len(tags))
}

func boolArg(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

func metricCheck(name string, ok bool, tags []Tag) bool {
	p, n := strArg(name)
	list, tp, tn := tagsArg(tags)
	held := witCheck(p, n, boolArg(ok), tp, tn)
	keepAlive(name, list, tags)
	return held != 0
}

func metricCounterAdd(name string, value float64, tags []Tag) {
	p, n := strArg(name)
	list, tp, tn := tagsArg(tags)
	witMetricCounterAdd(p, n, value, tp, tn)
	keepAlive(name, list, tags)
}

func metricGaugeSet(name string, value float64, tags []Tag) {
	p, n := strArg(name)
	list, tp, tn := tagsArg(tags)
	witMetricGaugeSet(p, n, value, tp, tn)
	keepAlive(name, list, tags)
}

func metricRateAdd(name string, value bool, tags []Tag) {
	p, n := strArg(name)
	list, tp, tn := tagsArg(tags)
	witMetricRateAdd(p, n, boolArg(value), tp, tn)
	keepAlive(name, list, tags)
}

func metricTrendAdd(name string, value float64, tags []Tag) {
	p, n := strArg(name)
	list, tp, tn := tagsArg(tags)
	witMetricTrendAdd(p, n, value, tp, tn)
	keepAlive(name, list, tags)
}

// ---- the world's exports ---------------------------------------------------------------

// Kept alive between a call's return and the engine reading its result.
var (
	exportResult = area(64)
	exportKeep   []any
)

// metadata returns scenario-info: name@0/4, description@8/12, tasks@16/20 (12 bytes each:
// name ptr/len, weight), think-time tag@24 with its payload@32 (and @40), sdk@48/52,
// thresholds@56/60 (a list of strings: ptr/len pairs).
//
//go:wasmexport metadata
func exportMetadata() unsafe.Pointer {
	s := registered()
	base := unsafe.Pointer(&exportResult[0])
	exportKeep = exportKeep[:0]
	p, n := str(s.Name)
	put32(base, 0, p)
	put32(base, 4, n)
	p, n = str(s.Description)
	put32(base, 8, p)
	put32(base, 12, n)
	if len(s.Tasks) > 0 {
		tasks := area(12 * len(s.Tasks))
		tb := unsafe.Pointer(&tasks[0])
		for i, t := range s.Tasks {
			p, n := str(t.Name)
			put32(tb, uintptr(12*i), p)
			put32(tb, uintptr(12*i+4), n)
			put32(tb, uintptr(12*i+8), t.Weight)
		}
		exportKeep = append(exportKeep, tasks)
		put32(base, 16, addr(tb))
	}
	put32(base, 20, uint32(len(s.Tasks)))
	put8(base, 24, s.Wait.kind)
	put64(base, 32, s.Wait.a)
	put64(base, 40, s.Wait.b)
	p, n = str(SDK)
	put32(base, 48, p)
	put32(base, 52, n)
	if len(s.Thresholds) > 0 {
		list := area(8 * len(s.Thresholds))
		lb := unsafe.Pointer(&list[0])
		for i, t := range s.Thresholds {
			p, n := str(t)
			put32(lb, uintptr(8*i), p)
			put32(lb, uintptr(8*i+4), n)
		}
		exportKeep = append(exportKeep, list)
		put32(base, 56, addr(lb))
	} else {
		put32(base, 56, 0)
	}
	put32(base, 60, uint32(len(s.Thresholds)))
	exportKeep = append(exportKeep, s)
	return base
}

// setup returns result<list<u8>, string>: tag@0, then the value's or the message's ptr@4
// len@8. Without a Setup hook every VU gets an empty value, which is what the engine expects
// of a scenario without one.
//
//go:wasmexport setup
func exportSetup() unsafe.Pointer {
	value, err := callSetup(registered().Setup)
	if err != nil {
		return finish(err)
	}
	base := unsafe.Pointer(&exportResult[0])
	exportKeep = exportKeep[:0]
	put8(base, 0, 0)
	put32(base, 4, 0)
	if len(value) > 0 {
		exportKeep = append(exportKeep, value)
		put32(base, 4, addr(unsafe.Pointer(unsafe.SliceData(value))))
	}
	put32(base, 8, uint32(len(value)))
	return base
}

// teardown takes setup's value (list<u8> as ptr, len, in memory the engine allocated with
// cabi_realloc, now the guest's) and returns result<_, string>; without a Teardown hook it
// does nothing.
//
//go:wasmexport teardown
func exportTeardown(valuePtr, valueLen uint32) unsafe.Pointer {
	value := bytesCopy(valuePtr, valueLen)
	releaseHostAllocations()
	return finish(callTeardown(registered().Teardown, value))
}

// finish returns result<_, string>: tag@0, message ptr@4 len@8.
func finish(err error) unsafe.Pointer {
	base := unsafe.Pointer(&exportResult[0])
	exportKeep = exportKeep[:0]
	if err == nil {
		put8(base, 0, 0)
		return base
	}
	message := err.Error()
	exportKeep = append(exportKeep, message)
	p, n := str(message)
	put8(base, 0, 1)
	put32(base, 4, p)
	put32(base, 8, n)
	return base
}

//go:wasmexport on-start
func exportOnStart() unsafe.Pointer { return finish(call(registered().OnStart)) }

//go:wasmexport run-task
func exportRunTask(index uint32) unsafe.Pointer {
	tasks := registered().Tasks
	if int(index) >= len(tasks) {
		return finish(errorf("no task with index %d: this scenario has %d task(s)", index, len(tasks)))
	}
	return finish(call(tasks[index].Run))
}

//go:wasmexport on-stop
func exportOnStop() unsafe.Pointer { return finish(call(registered().OnStop)) }
