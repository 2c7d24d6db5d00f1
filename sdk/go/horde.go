// Package horde writes horde load-testing scenarios (virtual users) in Go.
//
// A scenario is a WebAssembly component; each instance is one virtual user (VU), so the
// package-level variables of your program are that user's state. Hooks and tasks are plain
// `func() error`; register the scenario once, in init:
//
//	package main
//
//	import "horde.local/horde"
//
//	var token string
//
//	func onStart() error {
//		login, err := horde.Post("/api/auth/login").
//			JSON(`{"username": "testuser", "password": "password123"}`).WantBody().Send()
//		if err != nil {
//			return err
//		}
//		token = horde.JSONString(login.Body, "access_token")
//		return nil
//	}
//
//	func profile() error {
//		_, err := horde.Get("/api/users/me").Bearer(token).Send()
//		return err
//	}
//
//	func init() {
//		horde.Register(horde.Scenario{
//			Name:    "reader",
//			OnStart: onStart,
//			Wait:    horde.Between(1, 5),
//			Tasks:   []horde.Task{{Name: "profile", Weight: 1, Run: profile}},
//		})
//	}
//
//	func main() {}
//
// Beyond one VU: data sets given with --data (UniqueRow, SequentialRow, RandomRow, PerVURow),
// state shared by all VUs of a run (SharedCounterAdd, SharedGet, SharedSet,
// SharedCompareAndSwap, SharedDelete), and the Setup and Teardown hooks that run once per run
// (SetupValue, SetupText): see docs/state.md.
//
// docs/languages/go.md shows how to build a scenario.
package horde

import (
	"encoding/json"
	"fmt"
	"math"
)

// SDK is the name and version a scenario reports in its metadata.
const SDK = "horde-sdk-go 0.1.0"

// Method is an HTTP method.
type Method uint8

// The methods: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS.
const (
	GET Method = iota
	HEAD
	POST
	PUT
	PATCH
	DELETE
	OPTIONS
)

// HTTPError is a request that got no response: Kind is "timeout", "connect", "tls",
// "invalid-request", "protocol" or "cancelled".
type HTTPError struct {
	Kind   string
	Detail string
}

// Error is the kind, and the detail when there is one.
func (e *HTTPError) Error() string {
	if e.Detail == "" {
		return e.Kind
	}
	return e.Kind + ": " + e.Detail
}

// Request is a request being built; Send sends it.
type Request struct {
	method      Method
	url         string
	headers     [][2]string
	body        []byte
	name        string
	expect      []uint16
	timeoutMs   uint32
	wantBody    bool
	wantHeaders bool
}

// NewRequest starts a request with any method; url is absolute or a path joined to --host.
func NewRequest(method Method, url string) *Request { return &Request{method: method, url: url} }

// Get starts a GET request.
func Get(url string) *Request { return NewRequest(GET, url) }

// Post starts a POST request.
func Post(url string) *Request { return NewRequest(POST, url) }

// Put starts a PUT request.
func Put(url string) *Request { return NewRequest(PUT, url) }

// Patch starts a PATCH request.
func Patch(url string) *Request { return NewRequest(PATCH, url) }

// Delete starts a DELETE request.
func Delete(url string) *Request { return NewRequest(DELETE, url) }

// Header adds a header.
func (r *Request) Header(name, value string) *Request {
	r.headers = append(r.headers, [2]string{name, value})
	return r
}

// Bearer adds "authorization: Bearer <token>".
func (r *Request) Bearer(token string) *Request { return r.Header("authorization", "Bearer "+token) }

// JSON sends text as the body with "content-type: application/json".
func (r *Request) JSON(text string) *Request {
	r.body = []byte(text)
	return r.Header("content-type", "application/json")
}

// Body sends raw bytes.
func (r *Request) Body(body []byte) *Request {
	r.body = body
	return r
}

// Name groups the request in the statistics (e.g. "/api/orders/[id]").
func (r *Request) Name(name string) *Request {
	r.name = name
	return r
}

// Expect lists the statuses that count as a success (e.g. 401 for a negative test).
func (r *Request) Expect(statuses ...uint16) *Request {
	r.expect = statuses
	return r
}

// TimeoutMs gives up after ms milliseconds.
func (r *Request) TimeoutMs(ms uint32) *Request {
	r.timeoutMs = ms
	return r
}

// WantBody copies the response body into the VU (leave it out when the body is not read).
func (r *Request) WantBody() *Request {
	r.wantBody = true
	return r
}

// WantHeaders copies the response headers into the VU.
func (r *Request) WantHeaders() *Request {
	r.wantHeaders = true
	return r
}

// Send sends the request and waits for the response. An unexpected status is still a
// response (check Status or OK); only no response at all is an error (*HTTPError).
func (r *Request) Send() (*Response, error) { return send(r) }

// Response is a response; Body and Headers are set when the request asked for them.
type Response struct {
	id        uint64
	Status    int
	OK        bool
	ElapsedUs uint64
	Body      []byte
	Headers   map[string]string
}

// Fail marks the response failed after inspecting it (Locust's catch_response).
func (r *Response) Fail(reason string) {
	p, n := str(reason)
	witMarkFailed(r.id, ptr(p), n)
	keepAlive(reason)
}

// Pass marks the response passed although its status was not expected.
func (r *Response) Pass() { witMarkPassed(r.id) }

// JSONString is the string field key of a JSON object body, or "".
func JSONString(body []byte, key string) string {
	var object map[string]any
	if json.Unmarshal(body, &object) != nil {
		return ""
	}
	s, _ := object[key].(string)
	return s
}

// VuID is this VU's number, from 1.
func VuID() uint32 { return witVuID() }

// Iteration is how many tasks this VU started before the current one.
func Iteration() uint64 { return witIteration() }

// Env is the value given with --env KEY=VALUE.
func Env(key string) (string, bool) { return env(key) }

// ElapsedUs is microseconds since the run started.
func ElapsedUs() uint64 { return witElapsedUs() }

// UnixTimeMs is wall-clock milliseconds since the Unix epoch.
func UnixTimeMs() uint64 { return witUnixTimeMs() }

// RandomU64 is a number from this VU's generator (seeded from --seed).
func RandomU64() uint64 { return witRandomU64() }

// SleepMs pauses this VU (not the engine).
func SleepMs(ms uint64) { witSleep(ms) }

// Level is a log level.
type Level uint32

// The log levels, from the most verbose.
const (
	TRACE Level = iota
	DEBUG
	INFO
	WARN
	ERROR
)

// Log writes a line to the run's log, tagged with the VU id.
func Log(level Level, message string) { logLine(level, message) }

// Info logs a formatted line (fmt.Sprintf) at info level.
func Info(format string, args ...any) { logLine(INFO, fmt.Sprintf(format, args...)) }

// Warn logs a formatted line (fmt.Sprintf) at warn level.
func Warn(format string, args ...any) { logLine(WARN, fmt.Sprintf(format, args...)) }

// Wait is the think time after each task.
type Wait struct {
	kind uint8
	a, b uint64
}

func ms(seconds float64) uint64 { return uint64(math.Round(seconds * 1000)) }

// NoWait starts the next task as soon as the previous one ends.
func NoWait() Wait { return Wait{} }

// Between waits a uniformly random time from minS to maxS seconds (Locust's between).
func Between(minS, maxS float64) Wait { return Wait{kind: 1, a: ms(minS), b: ms(maxS)} }

// Constant waits s seconds after every task.
func Constant(s float64) Wait { return Wait{kind: 2, a: ms(s)} }

// ConstantPacing starts each task s seconds after the previous one started.
func ConstantPacing(s float64) Wait { return Wait{kind: 3, a: ms(s)} }

// ConstantThroughput runs at most perS tasks per second per VU.
func ConstantThroughput(perS float64) Wait { return Wait{kind: 4, a: math.Float64bits(perS)} }

// Task is one task: its name, weight and function.
type Task struct {
	Name   string
	Weight uint32
	Run    func() error
}

// Scenario is what Register takes.
type Scenario struct {
	Name        string
	Description string
	// Setup, if set, runs once per run before any VU starts, on an instance of its own (not a
	// VU: VuID is 0 there). The bytes it returns reach every VU (SetupValue, SetupText) and
	// Teardown; an error ends the run before any VU starts. Its requests are counted under
	// names starting with "[setup]". Left nil, every VU gets an empty value.
	Setup func() ([]byte, error)
	// Teardown, if set, runs once after the last VU has ended (also when the run is
	// interrupted, never when Setup failed) with Setup's value. Its requests are counted under
	// names starting with "[teardown]".
	Teardown func(setupValue []byte) error
	OnStart  func() error
	OnStop   func() error
	Wait     Wait
	Tasks    []Task
	// Thresholds are pass/fail criteria in k6's syntax, e.g. "http_req_failed: rate<0.01".
	Thresholds []string
}

var scenario *Scenario

// Register declares the scenario; call it once, from init.
func Register(s Scenario) { scenario = &s }

func registered() *Scenario {
	if scenario == nil {
		panic("horde: the program did not call horde.Register from init")
	}
	return scenario
}

// call runs a hook; a panic becomes the hook's error rather than a trap.
func call(hook func() error) (err error) {
	if hook == nil {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return hook()
}

// callSetup runs the Setup hook (nil: an empty value); a panic becomes its error.
func callSetup(hook func() ([]byte, error)) (value []byte, err error) {
	if hook == nil {
		return nil, nil
	}
	defer func() {
		if p := recover(); p != nil {
			value, err = nil, fmt.Errorf("panic: %v", p)
		}
	}()
	return hook()
}

// callTeardown runs the Teardown hook, if any, with setup's value.
func callTeardown(hook func([]byte) error, value []byte) error {
	if hook == nil {
		return nil
	}
	return call(func() error { return hook(value) })
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
