package horde

// State shared by all VUs of a run: the value Setup returned, atomic counters, and a small
// key/value store with expiry. It lives in the engine for the length of the run.
//
// Limits: names and keys up to 256 bytes, values up to 64 KiB, 10,000 counters, 100,000 live
// keys. A call past one fails with a *LimitError naming it and changes nothing.
//
//	placed, err := horde.SharedCounterAdd("orders", 1)
//	if err != nil {
//		return err
//	}
//	if placed%1000 == 0 {
//		horde.Info("%d orders placed so far", placed)
//	}

import (
	"errors"
	"time"
)

// ErrLimit is what every *LimitError unwraps to: errors.Is(err, horde.ErrLimit).
var ErrLimit = errors.New("shared state limit")

// LimitError is a shared-state call that went past a limit; Message (the engine's) names it.
type LimitError struct {
	Message string
}

// Error is the engine's message.
func (e *LimitError) Error() string { return e.Message }

// Unwrap gives ErrLimit, for errors.Is.
func (e *LimitError) Unwrap() error { return ErrLimit }

// SetupValue is the value Setup returned (empty without a Setup). Every VU gets the same.
func SetupValue() []byte { return setupValue() }

// SetupText is Setup's value as text (such as a token).
func SetupText() string { return string(setupValue()) }

// SharedCounterAdd adds delta to the shared counter name (0 before its first use) and returns
// the new value. Exact under contention: N VUs adding 1 M times make N x M. (Not a metric:
// see NewCounter for those.)
func SharedCounterAdd(name string, delta int64) (int64, error) {
	return sharedCounterAdd(name, delta)
}

// SharedCounterGet is the current value of the shared counter name (0 if never added to).
func SharedCounterGet(name string) int64 { return sharedCounterGet(name) }

// SharedGet is the value stored under key; false when it is absent or expired.
func SharedGet(key string) ([]byte, bool) { return sharedGet(key) }

// SharedSet stores value under key, replacing any value. It expires after ttl; a ttl of 0
// (or less) keeps it for the whole run.
func SharedSet(key string, value []byte, ttl time.Duration) error {
	return sharedSet(key, value, ttl)
}

// SharedCompareAndSwap stores value under key only if the current value equals expected, and
// says whether it stored. A nil expected means "only if key is absent or expired" ([]byte{}
// expects a stored empty value). It expires after ttl, as with SharedSet. One VU wins a race
// to fill a key:
//
//	mine := fmt.Sprintf("vu-%d", horde.VuID())
//	won, err := horde.SharedCompareAndSwap("leader", nil, []byte(mine), 0)
func SharedCompareAndSwap(key string, expected, value []byte, ttl time.Duration) (bool, error) {
	return sharedCompareAndSwap(key, expected, value, ttl)
}

// SharedDelete removes key; it says whether key held a live value.
func SharedDelete(key string) bool { return sharedDelete(key) }
