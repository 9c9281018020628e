package crawler

import (
	"fmt"
	"github.com/linkrot/linkrot/store"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
)

const (
	stHour = time.Hour
	stDay  = 24 * time.Hour
)

// stPolicy is the default policy without jitter, so due times are exact.
var stPolicy = Policy{
	Failures: 3, MinSpan: 72 * stHour,
	RecheckAlive: 7 * stDay, RecheckSuspect: stDay, RecheckDead: 30 * stDay,
}

var stT0 = time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)

func stObs(c Class, at time.Duration) Observation {
	return Observation{URL: "https://example.com/a", Class: c, CheckedAt: stT0.Add(at)}
}

func TestStatePolicyFrom(t *testing.T) {
	cfg := config.Default()
	p := PolicyFrom(cfg.Recheck, cfg.DeadAfter)
	want := stPolicy
	want.Jitter = DefaultJitter
	if p != want {
		t.Errorf("PolicyFrom(defaults) = %+v, want %+v", p, want)
	}
}

// TestNext is one check applied to one status: every kind of transition.
func TestStateNext(t *testing.T) {
	failing := func(n int, first time.Duration) LinkStatus {
		return LinkStatus{State: store.StateSuspect, ConsecutiveFailures: n, FirstFailure: stT0.Add(first), LastSuccess: stT0.Add(-stDay)}
	}
	dead := LinkStatus{State: store.StateDead, ConsecutiveFailures: 5, FirstFailure: stT0.Add(-10 * stDay), LastSuccess: stT0.Add(-11 * stDay)}
	for _, tc := range []struct {
		name       string
		prev       LinkStatus
		o          Observation
		want       LinkStatus
		wantNext   time.Duration // after stT0
		wantTr     Transition    // Reason is only checked to be non-empty
		wantReason string        // substring, optional
	}{
		{
			name: "unchecked ok", prev: LinkStatus{State: store.StateUnchecked}, o: stObs(ClassOK, 0),
			want:     LinkStatus{State: store.StateAlive, LastSuccess: stT0},
			wantNext: 7 * stDay, wantTr: Transition{From: store.StateUnchecked, To: store.StateAlive},
		},
		{
			name: "empty state reads as unchecked", prev: LinkStatus{}, o: stObs(ClassHTTP4xx, 0),
			want:     LinkStatus{State: store.StateSuspect, ConsecutiveFailures: 1, FirstFailure: stT0},
			wantNext: stDay, wantTr: Transition{From: store.StateUnchecked, To: store.StateSuspect},
		},
		{
			name: "alive ok stays alive", prev: LinkStatus{State: store.StateAlive, LastSuccess: stT0.Add(-7 * stDay)}, o: stObs(ClassOK, 0),
			want:     LinkStatus{State: store.StateAlive, LastSuccess: stT0},
			wantNext: 7 * stDay, wantTr: Transition{From: store.StateAlive, To: store.StateAlive},
		},
		{
			name: "success after 2 failures resets", prev: failing(2, -2*stDay), o: stObs(ClassOK, 0),
			want:     LinkStatus{State: store.StateAlive, LastSuccess: stT0},
			wantNext: 7 * stDay, wantTr: Transition{From: store.StateSuspect, To: store.StateAlive},
		},
		{
			name: "alive first failure is suspect", prev: LinkStatus{State: store.StateAlive, LastSuccess: stT0.Add(-7 * stDay)}, o: stObs(ClassTimeout, 0),
			want:     LinkStatus{State: store.StateSuspect, ConsecutiveFailures: 1, FirstFailure: stT0, LastSuccess: stT0.Add(-7 * stDay)},
			wantNext: stDay, wantTr: Transition{From: store.StateAlive, To: store.StateSuspect}, wantReason: "not yet dead",
		},
		{
			name: "3 failures within 72h stay suspect", prev: failing(2, -48*stHour), o: stObs(ClassHTTP4xx, 0),
			want:     LinkStatus{State: store.StateSuspect, ConsecutiveFailures: 3, FirstFailure: stT0.Add(-48 * stHour), LastSuccess: stT0.Add(-stDay)},
			wantNext: stDay, wantTr: Transition{From: store.StateSuspect, To: store.StateSuspect},
		},
		{
			name: "3 failures spanning exactly 72h are dead", prev: failing(2, -72*stHour), o: stObs(ClassDNSNXDomain, 0),
			want:     LinkStatus{State: store.StateDead, ConsecutiveFailures: 3, FirstFailure: stT0.Add(-72 * stHour), LastSuccess: stT0.Add(-stDay)},
			wantNext: 30 * stDay, wantTr: Transition{From: store.StateSuspect, To: store.StateDead, NewlyDead: true}, wantReason: "3 consecutive failures",
		},
		{
			name: "2 failures spanning a week are not enough", prev: failing(1, -7*stDay), o: stObs(ClassHTTP5xx, 0),
			want:     LinkStatus{State: store.StateSuspect, ConsecutiveFailures: 2, FirstFailure: stT0.Add(-7 * stDay), LastSuccess: stT0.Add(-stDay)},
			wantNext: stDay, wantTr: Transition{From: store.StateSuspect, To: store.StateSuspect},
		},
		{
			name: "transient failures count too", prev: failing(4, -4*stDay), o: stObs(ClassConnReset, 0),
			want:     LinkStatus{State: store.StateDead, ConsecutiveFailures: 5, FirstFailure: stT0.Add(-4 * stDay), LastSuccess: stT0.Add(-stDay)},
			wantNext: 30 * stDay, wantTr: Transition{From: store.StateSuspect, To: store.StateDead, NewlyDead: true},
		},
		{
			name: "dead keeps failing", prev: dead, o: stObs(ClassHTTP4xx, 0),
			want:     LinkStatus{State: store.StateDead, ConsecutiveFailures: 6, FirstFailure: dead.FirstFailure, LastSuccess: dead.LastSuccess},
			wantNext: 30 * stDay, wantTr: Transition{From: store.StateDead, To: store.StateDead}, wantReason: "still dead",
		},
		{
			name: "dead ok recovers", prev: dead, o: stObs(ClassOK, 0),
			want:     LinkStatus{State: store.StateAlive, LastSuccess: stT0},
			wantNext: 7 * stDay, wantTr: Transition{From: store.StateDead, To: store.StateAlive, Recovered: true},
		},
		{
			name: "dead moved recovers",
			prev: dead, o: Observation{Class: ClassRedirect, FinalURL: "https://new.example/", Permanent: true, CheckedAt: stT0},
			want:     LinkStatus{State: store.StateMoved, LastSuccess: stT0, MovedTo: "https://new.example/"},
			wantNext: 7 * stDay, wantTr: Transition{From: store.StateDead, To: store.StateMoved, Recovered: true},
		},
		{
			name: "permanent redirect is moved",
			prev: LinkStatus{State: store.StateAlive, LastSuccess: stT0.Add(-7 * stDay)},
			o:    Observation{Class: ClassRedirect, FinalURL: "https://new.example/a", Permanent: true, CheckedAt: stT0},
			want: LinkStatus{State: store.StateMoved, LastSuccess: stT0, MovedTo: "https://new.example/a"},
			// moved counts as a success: it is due like an alive link.
			wantNext: 7 * stDay, wantTr: Transition{From: store.StateAlive, To: store.StateMoved}, wantReason: "https://new.example/a",
		},
		{
			name:     "moved resets a failure streak",
			prev:     failing(2, -2*stDay),
			o:        Observation{Class: ClassRedirect, FinalURL: "https://new.example/a", Permanent: true, CheckedAt: stT0},
			want:     LinkStatus{State: store.StateMoved, LastSuccess: stT0, MovedTo: "https://new.example/a"},
			wantNext: 7 * stDay, wantTr: Transition{From: store.StateSuspect, To: store.StateMoved},
		},
		{
			name:     "moved again to another place",
			prev:     LinkStatus{State: store.StateMoved, LastSuccess: stT0.Add(-7 * stDay), MovedTo: "https://old.example/"},
			o:        Observation{Class: ClassOK, FinalURL: "https://newer.example/", Permanent: true, CheckedAt: stT0},
			want:     LinkStatus{State: store.StateMoved, LastSuccess: stT0, MovedTo: "https://newer.example/"},
			wantNext: 7 * stDay, wantTr: Transition{From: store.StateMoved, To: store.StateMoved},
		},
		{
			name:     "temporary redirect is alive",
			prev:     LinkStatus{State: store.StateUnchecked},
			o:        Observation{Class: ClassRedirect, FinalURL: "https://elsewhere.example/", CheckedAt: stT0},
			want:     LinkStatus{State: store.StateAlive, LastSuccess: stT0},
			wantNext: 7 * stDay, wantTr: Transition{From: store.StateUnchecked, To: store.StateAlive},
		},
		{
			name:     "permanent without a final URL is alive",
			prev:     LinkStatus{State: store.StateUnchecked},
			o:        Observation{Class: ClassRedirect, Permanent: true, CheckedAt: stT0},
			want:     LinkStatus{State: store.StateAlive, LastSuccess: stT0},
			wantNext: 7 * stDay, wantTr: Transition{From: store.StateUnchecked, To: store.StateAlive},
		},
		{
			name:     "moved then a direct success clears MovedTo",
			prev:     LinkStatus{State: store.StateMoved, LastSuccess: stT0.Add(-7 * stDay), MovedTo: "https://new.example/"},
			o:        stObs(ClassOK, 0),
			want:     LinkStatus{State: store.StateAlive, LastSuccess: stT0},
			wantNext: 7 * stDay, wantTr: Transition{From: store.StateMoved, To: store.StateAlive},
		},
		{
			name:     "moved then failing keeps MovedTo",
			prev:     LinkStatus{State: store.StateMoved, LastSuccess: stT0.Add(-7 * stDay), MovedTo: "https://new.example/"},
			o:        stObs(ClassHTTP4xx, 0),
			want:     LinkStatus{State: store.StateSuspect, ConsecutiveFailures: 1, FirstFailure: stT0, LastSuccess: stT0.Add(-7 * stDay), MovedTo: "https://new.example/"},
			wantNext: stDay, wantTr: Transition{From: store.StateMoved, To: store.StateSuspect},
		},
		{
			name: "blocked leaves the streak alone", prev: failing(2, -3*stDay), o: stObs(ClassBlocked, 0),
			want:     LinkStatus{State: store.StateBlocked, ConsecutiveFailures: 2, FirstFailure: stT0.Add(-3 * stDay), LastSuccess: stT0.Add(-stDay)},
			wantNext: 7 * stDay, wantTr: Transition{From: store.StateSuspect, To: store.StateBlocked}, wantReason: "cannot be known",
		},
		{
			name: "dead then blocked is blocked, not recovered", prev: dead, o: stObs(ClassRobotsDisallowed, 0),
			want:     LinkStatus{State: store.StateBlocked, ConsecutiveFailures: 5, FirstFailure: dead.FirstFailure, LastSuccess: dead.LastSuccess},
			wantNext: 7 * stDay, wantTr: Transition{From: store.StateDead, To: store.StateBlocked},
		},
		{
			name: "private address is blocked", prev: LinkStatus{State: store.StateUnchecked}, o: stObs(ClassPrivateAddress, 0),
			want:     LinkStatus{State: store.StateBlocked},
			wantNext: 7 * stDay, wantTr: Transition{From: store.StateUnchecked, To: store.StateBlocked},
		},
		{
			name: "blocked then failing resumes the streak", prev: LinkStatus{State: store.StateBlocked, ConsecutiveFailures: 2, FirstFailure: stT0.Add(-3 * stDay)},
			o:        stObs(ClassHTTP4xx, 0),
			want:     LinkStatus{State: store.StateDead, ConsecutiveFailures: 3, FirstFailure: stT0.Add(-3 * stDay)},
			wantNext: 30 * stDay, wantTr: Transition{From: store.StateBlocked, To: store.StateDead, NewlyDead: true},
		},
		{
			name: "excluded", prev: failing(1, 0), o: stObs(ClassExcluded, stDay),
			want:     LinkStatus{State: store.StateExcluded, ConsecutiveFailures: 1, FirstFailure: stT0, LastSuccess: stT0.Add(-stDay)},
			wantNext: 8 * stDay, wantTr: Transition{From: store.StateSuspect, To: store.StateExcluded},
		},
		{
			name: "excluded then ok is alive", prev: LinkStatus{State: store.StateExcluded}, o: stObs(ClassOK, 0),
			want:     LinkStatus{State: store.StateAlive, LastSuccess: stT0},
			wantNext: 7 * stDay, wantTr: Transition{From: store.StateExcluded, To: store.StateAlive},
		},
		{
			name: "network down changes nothing", prev: failing(2, -3*stDay), o: stObs(ClassNetworkDown, 0),
			want:     failing(2, -3*stDay),
			wantNext: stDay, wantTr: Transition{From: store.StateSuspect, To: store.StateSuspect}, wantReason: "network_down",
		},
		{
			name: "network down on a dead link", prev: dead, o: stObs(ClassNetworkDown, 0),
			want:     dead,
			wantNext: stDay, wantTr: Transition{From: store.StateDead, To: store.StateDead},
		},
		{
			name: "network down keeps an empty state empty", prev: LinkStatus{}, o: stObs(ClassNetworkDown, 0),
			want:     LinkStatus{},
			wantNext: stDay, wantTr: Transition{From: store.StateUnchecked, To: store.StateUnchecked},
		},
		{
			name: "unknown class changes nothing", prev: failing(2, -3*stDay), o: stObs(ClassUnknown, 0),
			want:     failing(2, -3*stDay),
			wantNext: stDay, wantTr: Transition{From: store.StateSuspect, To: store.StateSuspect}, wantReason: "unknown",
		},
		{
			name: "class from a newer version changes nothing", prev: LinkStatus{State: store.StateAlive}, o: stObs(Class(999), 0),
			want:     LinkStatus{State: store.StateAlive},
			wantNext: stDay, wantTr: Transition{From: store.StateAlive, To: store.StateAlive},
		},
		{
			name: "a count without a start restarts the streak", prev: LinkStatus{State: store.StateSuspect, ConsecutiveFailures: 7},
			o:        stObs(ClassHTTP4xx, 0),
			want:     LinkStatus{State: store.StateSuspect, ConsecutiveFailures: 1, FirstFailure: stT0},
			wantNext: stDay, wantTr: Transition{From: store.StateSuspect, To: store.StateSuspect},
		},
		{
			name: "a clock that went back is not death", prev: failing(5, 2*stDay), o: stObs(ClassHTTP4xx, 0),
			want:     LinkStatus{State: store.StateSuspect, ConsecutiveFailures: 6, FirstFailure: stT0.Add(2 * stDay), LastSuccess: stT0.Add(-stDay)},
			wantNext: stDay, wantTr: Transition{From: store.StateSuspect, To: store.StateSuspect},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, next, tr := stPolicy.Next(tc.prev, tc.o)
			if got != tc.want {
				t.Errorf("status = %+v\nwant     %+v", got, tc.want)
			}
			if want := stT0.Add(tc.wantNext); !next.Equal(want) {
				t.Errorf("next check = %v, want %v (+%v)", next, want, tc.wantNext)
			}
			if tr.Reason == "" || !strings.Contains(tr.Reason, tc.wantReason) {
				t.Errorf("reason %q, want it to mention %q", tr.Reason, tc.wantReason)
			}
			tr.Reason = ""
			if tr != tc.wantTr {
				t.Errorf("transition = %+v, want %+v", tr, tc.wantTr)
			}
			if tr.Changed() != (tc.wantTr.From != tc.wantTr.To) {
				t.Errorf("Changed() = %v", tr.Changed())
			}
		})
	}
}

// stStep is one check in a sequence: when (after stT0), what, and the state
// after it.
type stStep struct {
	at        time.Duration
	class     Class
	state     store.LinkState
	failures  int
	newlyDead bool
	recovered bool
}

func runStSteps(t *testing.T, p Policy, start LinkStatus, steps []stStep) LinkStatus {
	t.Helper()
	st := start
	for i, s := range steps {
		var tr Transition
		st, _, tr = p.Next(st, stObs(s.class, s.at))
		if st.State != s.state || st.ConsecutiveFailures != s.failures || tr.NewlyDead != s.newlyDead || tr.Recovered != s.recovered {
			t.Fatalf("stStep %d (%v at +%v): state %s, %d failures, newly dead %v, recovered %v; want %s, %d, %v, %v (%s)",
				i+1, s.class, s.at, st.State, st.ConsecutiveFailures, tr.NewlyDead, tr.Recovered,
				s.state, s.failures, s.newlyDead, s.recovered, tr.Reason)
		}
	}
	return st
}

func TestStateSequences(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []stStep
	}{
		{"3 failures within 72h are still suspect", []stStep{
			{0, ClassHTTP4xx, store.StateSuspect, 1, false, false},
			{24 * stHour, ClassHTTP4xx, store.StateSuspect, 2, false, false},
			{71 * stHour, ClassHTTP4xx, store.StateSuspect, 3, false, false},
		}},
		{"3 failures spanning 72h are dead, once", []stStep{
			{0, ClassOK, store.StateAlive, 0, false, false},
			{7 * stDay, ClassHTTP4xx, store.StateSuspect, 1, false, false},
			{8 * stDay, ClassTimeout, store.StateSuspect, 2, false, false},
			{9 * stDay, ClassSoft404, store.StateSuspect, 3, false, false},
			{10 * stDay, ClassHTTP4xx, store.StateDead, 4, true, false},
			{40 * stDay, ClassHTTP4xx, store.StateDead, 5, false, false},
		}},
		{"a success after 2 failures resets the count", []stStep{
			{0, ClassHTTP5xx, store.StateSuspect, 1, false, false},
			{24 * stHour, ClassHTTP5xx, store.StateSuspect, 2, false, false},
			{48 * stHour, ClassOK, store.StateAlive, 0, false, false},
			// The old streak is forgotten: a new one starts here.
			{72 * stHour, ClassHTTP5xx, store.StateSuspect, 1, false, false},
			{96 * stHour, ClassHTTP5xx, store.StateSuspect, 2, false, false},
			{120 * stHour, ClassHTTP5xx, store.StateSuspect, 3, false, false},
			{144 * stHour, ClassHTTP5xx, store.StateDead, 4, true, false},
		}},
		{"dead then ok is alive and recovered", []stStep{
			{0, ClassDNSNXDomain, store.StateSuspect, 1, false, false},
			{24 * stHour, ClassDNSNXDomain, store.StateSuspect, 2, false, false},
			{72 * stHour, ClassDNSNXDomain, store.StateDead, 3, true, false},
			{102 * stDay, ClassOK, store.StateAlive, 0, false, true},
			{109 * stDay, ClassOK, store.StateAlive, 0, false, false},
		}},
		{"network down in the middle of a streak changes nothing", []stStep{
			{0, ClassHTTP4xx, store.StateSuspect, 1, false, false},
			{24 * stHour, ClassNetworkDown, store.StateSuspect, 1, false, false},
			{48 * stHour, ClassHTTP4xx, store.StateSuspect, 2, false, false},
			{72 * stHour, ClassHTTP4xx, store.StateDead, 3, true, false},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runStSteps(t, stPolicy, LinkStatus{State: store.StateUnchecked}, tc.steps)
		})
	}
}

func TestStateBlockedNeverDead(t *testing.T) {
	st := LinkStatus{State: store.StateAlive, LastSuccess: stT0}
	for i := range 200 {
		c := []Class{ClassBlocked, ClassRobotsDisallowed, ClassPrivateAddress}[i%3]
		var tr Transition
		var next time.Time
		at := stT0.Add(time.Duration(i+1) * stDay)
		st, next, tr = stPolicy.Next(st, Observation{Class: c, CheckedAt: at})
		if st.State != store.StateBlocked || tr.NewlyDead || st.ConsecutiveFailures != 0 {
			t.Fatalf("check %d (%v): %+v, %+v", i+1, c, st, tr)
		}
		if !next.Equal(at.Add(7 * stDay)) {
			t.Fatalf("blocked next check %v, want +7d", next)
		}
	}
	if !st.LastSuccess.Equal(stT0) {
		t.Errorf("blocked checks moved LastSuccess to %v", st.LastSuccess)
	}
}

// TestEveryClass pins down which state each class leads to from a fresh
// link, so a class added to class.go without a decision here fails.
func TestStateEveryClass(t *testing.T) {
	want := map[Class]store.LinkState{
		ClassUnknown:          store.StateUnchecked,
		ClassOK:               store.StateAlive,
		ClassRedirect:         store.StateAlive, // not permanent in this test
		ClassHTTP4xx:          store.StateSuspect,
		ClassHTTP5xx:          store.StateSuspect,
		ClassSoft404:          store.StateSuspect,
		ClassRedirectToRoot:   store.StateSuspect,
		ClassDNSNXDomain:      store.StateSuspect,
		ClassDNSError:         store.StateSuspect,
		ClassConnRefused:      store.StateSuspect,
		ClassConnReset:        store.StateSuspect,
		ClassTimeout:          store.StateSuspect,
		ClassTLSError:         store.StateSuspect,
		ClassTooManyRedirects: store.StateSuspect,
		ClassTooLarge:         store.StateSuspect,
		ClassBlocked:          store.StateBlocked,
		ClassRobotsDisallowed: store.StateBlocked,
		ClassNetworkDown:      store.StateUnchecked,
		ClassExcluded:         store.StateExcluded,
		ClassPrivateAddress:   store.StateBlocked,
		ClassProtocolError:    store.StateSuspect, // like a refused connection
		ClassDeferred:         store.StateUnchecked,
		ClassInvalidURL:       store.StateSuspect,
	}
	for c := Class(0); int(c) < len(classNames); c++ {
		w, ok := want[c]
		if !ok {
			t.Errorf("class %v has no expected state in this test: decide what it does to a link", c)
			continue
		}
		got, _, _ := stPolicy.Next(LinkStatus{State: store.StateUnchecked}, stObs(c, 0))
		if got.State != w {
			t.Errorf("unchecked + %v = %s, want %s", c, got.State, w)
		}
	}
}

func TestStateDeadIsNotUndoneByStricterPolicy(t *testing.T) {
	strict := stPolicy
	strict.Failures, strict.MinSpan = 10, 30*stDay
	prev := LinkStatus{State: store.StateDead, ConsecutiveFailures: 3, FirstFailure: stT0.Add(-3 * stDay)}
	got, _, tr := strict.Next(prev, stObs(ClassHTTP4xx, 0))
	if got.State != store.StateDead || tr.NewlyDead || got.ConsecutiveFailures != 4 {
		t.Errorf("dead link failing under a stricter policy: %+v, %+v", got, tr)
	}
}

func TestStateZeroMinSpan(t *testing.T) {
	// min_span 0 and failures 1 is "dead on the first failure": allowed by
	// the configuration, so the state machine must honour it.
	p := stPolicy
	p.Failures, p.MinSpan = 1, 0
	got, _, tr := p.Next(LinkStatus{State: store.StateAlive}, stObs(ClassHTTP4xx, 0))
	if got.State != store.StateDead || !tr.NewlyDead {
		t.Errorf("failures=1 min_span=0: %+v, %+v", got, tr)
	}
}

func TestStateJitter(t *testing.T) {
	p := stPolicy
	p.Jitter = 0.1
	due := func(url string, c Class) time.Duration {
		_, next, _ := p.Next(LinkStatus{State: store.StateAlive}, Observation{URL: url, Class: c, CheckedAt: stT0})
		return next.Sub(stT0)
	}
	seen := map[time.Duration]bool{}
	for i := range 200 {
		url := fmt.Sprintf("https://host%d.example/page", i)
		d := due(url, ClassOK)
		if d <= 7*stDay-7*stDay/10 || d > 7*stDay {
			t.Fatalf("%s due after %v, want in (6.3d, 7d]", url, d)
		}
		if d != due(url, ClassOK) {
			t.Fatalf("%s: jitter is not deterministic", url)
		}
		seen[d] = true
		// The same URL keeps the same fraction of every interval.
		if s := due(url, ClassHTTP4xx); float64(7*stDay-d)/float64(7*stDay)-float64(stDay-s)/float64(stDay) > 1e-6 {
			t.Fatalf("%s: alive offset %v, suspect offset %v: not the same fraction", url, 7*stDay-d, stDay-s)
		}
	}
	if len(seen) < 190 {
		t.Errorf("200 URLs got only %d distinct due times", len(seen))
	}
	// Spread: the URLs should cover the window, not bunch up.
	var early, late int
	for d := range seen {
		if 7*stDay-d > 7*stDay/20 {
			early++
		} else {
			late++
		}
	}
	if early < 60 || late < 60 {
		t.Errorf("jitter is lopsided: %d in the earlier half, %d in the later", early, late)
	}

	if d := due("", ClassOK); d != 7*stDay {
		t.Errorf("no URL: due after %v, want exactly 7d", d)
	}
	p.Jitter = 0
	if d := due("https://x.example/", ClassOK); d != 7*stDay {
		t.Errorf("jitter 0: due after %v, want exactly 7d", d)
	}
	p.Jitter = 5 // clamped below 1: never due at or before the check itself
	if d := due("https://x.example/", ClassOK); d <= 0 {
		t.Errorf("jitter 5: due after %v, want > 0", d)
	}
}

// A deferred check (Retry-After over crawler.max_retry_wait) leaves a
// failing link exactly as it was; a protocol error extends its streak like a
// connection error and ends dead the same way.
func TestStateDeferredAndProtocolError(t *testing.T) {
	prev := LinkStatus{State: store.StateSuspect, ConsecutiveFailures: 2, FirstFailure: stT0.Add(-3 * stDay), LastSuccess: stT0.Add(-4 * stDay)}
	got, _, tr := stPolicy.Next(prev, stObs(ClassDeferred, 0))
	if got != prev || tr.Changed() || !strings.Contains(tr.Reason, "deferred") {
		t.Errorf("deferred changed %+v into %+v (%s)", prev, got, tr.Reason)
	}
	viaProto, _, _ := stPolicy.Next(prev, stObs(ClassProtocolError, 0))
	viaRefused, _, _ := stPolicy.Next(prev, stObs(ClassConnRefused, 0))
	if viaProto != viaRefused || viaProto.State != store.StateDead {
		t.Errorf("protocol_error gave %+v, a refused connection %+v", viaProto, viaRefused)
	}
}
