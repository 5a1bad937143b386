package primitives

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/goasyncio/asyncio"
)

// ErrBadTopic is matched by the error of a subscription to a malformed
// pattern, or of a publication to a topic with a wildcard in it.
var ErrBadTopic = errors.New("primitives: bad topic")

// Publication is what a Broker delivers to queues: the topic a message was
// published to, and the message.
type Publication[M any] struct {
	Topic string
	Msg   M
}

// PutNowaiter is a queue a Broker delivers to: *asyncio.Queue and
// *RingbufQueue of Publication are.
type PutNowaiter[M any] interface {
	PutNowait(p Publication[M]) error
}

// Broker passes messages between tasks by topic (micropython-async's
// Broker): publishers Publish a message to a topic, and every subscriber
// whose pattern matches the topic gets it, through a callback, an event or
// a queue. Neither side knows the other.
//
// Topics are levels separated by "/" ("sensor/kitchen/temp"). A pattern is
// a topic, or one with wildcards, as in MQTT: "+" matches exactly one level
// ("sensor/+/temp"), and "#", as the last level only, matches any number of
// levels, none included ("sensor/#" matches "sensor" and
// "sensor/kitchen/temp"; "#" matches every topic). (micropython-async matches
// topics with regular expressions instead.)
//
// The zero Broker is ready to use. Its methods must be called on the loop's
// goroutine; a Broker needs no loop of its own, and runs no task.
type Broker[M any] struct {
	subs []brokerSub[M]
}

type brokerSub[M any] struct {
	s       *Subscription
	deliver func(topic string, msg M) error
}

// Subscription is one subscriber of a Broker; Unsubscribe ends it.
type Subscription struct {
	pattern []string
	unsub   func(*Subscription)
}

// Pattern returns the subscription's pattern.
func (s *Subscription) Pattern() string { return strings.Join(s.pattern, "/") }

// Unsubscribe ends the subscription: it gets no message published after
// this. Unsubscribing twice does nothing.
func (s *Subscription) Unsubscribe() {
	if s.unsub != nil {
		s.unsub(s)
		s.unsub = nil
	}
}

// validPattern checks a subscription pattern.
func validPattern(p string) ([]string, error) {
	levels := strings.Split(p, "/")
	for i, l := range levels {
		switch {
		case l == "#" && i != len(levels)-1:
			return nil, fmt.Errorf("%w: %q: # is not the last level", ErrBadTopic, p)
		case l != "#" && l != "+" && strings.ContainsAny(l, "#+"):
			return nil, fmt.Errorf("%w: %q: a wildcard is not a whole level", ErrBadTopic, p)
		}
	}
	return levels, nil
}

// matches reports whether topic's levels match the pattern.
func matches(pattern, topic []string) bool {
	for i, p := range pattern {
		switch {
		case p == "#":
			return true
		case i >= len(topic):
			return false
		case p != "+" && p != topic[i]:
			return false
		}
	}
	return len(pattern) == len(topic)
}

func (b *Broker[M]) add(pattern string, deliver func(topic string, msg M) error) (*Subscription, error) {
	levels, err := validPattern(pattern)
	if err != nil {
		return nil, err
	}
	s := &Subscription{
		pattern: levels,
		unsub: func(s *Subscription) {
			b.subs = slices.DeleteFunc(b.subs, func(e brokerSub[M]) bool { return e.s == s })
		},
	}
	b.subs = append(b.subs, brokerSub[M]{s, deliver})
	return s, nil
}

// Subscribe calls fn with the topic and the message of each publication
// that matches pattern, from within Publish, on the loop's goroutine: fn
// must not block (start a task for longer work), and a panic in fn reaches
// the publisher. It returns an error matching ErrBadTopic if the pattern
// is malformed.
func (b *Broker[M]) Subscribe(pattern string, fn func(topic string, msg M)) (*Subscription, error) {
	return b.add(pattern, func(topic string, msg M) error { fn(topic, msg); return nil })
}

// SubscribeEvent sets ev at each publication that matches pattern; the
// message is not kept. The task that waits on ev clears it.
func (b *Broker[M]) SubscribeEvent(pattern string, ev *asyncio.Event) (*Subscription, error) {
	return b.add(pattern, func(string, M) error { ev.Set(); return nil })
}

// SubscribeQueue puts each publication that matches pattern into q with
// PutNowait: a task ranges over q to take them. A full asyncio.Queue loses
// the new publication and a full RingbufQueue its oldest one; either way
// Publish reports it.
func (b *Broker[M]) SubscribeQueue(pattern string, q PutNowaiter[M]) (*Subscription, error) {
	return b.add(pattern, func(topic string, msg M) error { return q.PutNowait(Publication[M]{topic, msg}) })
}

// Publish delivers msg to every subscription whose pattern matches topic,
// in the order they were made, and returns how many there were. It does
// not pause. Subscriptions made or ended by a callback during Publish take
// effect from the next Publish. The error joins what queues returned
// (asyncio.ErrQueueFull: the publication is lost for that subscriber;
// ErrOverwritten: an older one is; asyncio.ErrQueueShutDown), each wrapped
// with the subscription's pattern; it matches ErrBadTopic, and nothing is
// delivered, if topic has a wildcard in it.
func (b *Broker[M]) Publish(topic string, msg M) (int, error) {
	if strings.ContainsAny(topic, "#+") {
		return 0, fmt.Errorf("%w: %q: a wildcard in a published topic", ErrBadTopic, topic)
	}
	levels := strings.Split(topic, "/")
	var errs []error
	n := 0
	for _, e := range slices.Clone(b.subs) {
		if !matches(e.s.pattern, levels) {
			continue
		}
		n++
		if err := e.deliver(topic, msg); err != nil {
			errs = append(errs, fmt.Errorf("primitives: Broker: %q to %q: %w", topic, e.s.Pattern(), err))
		}
	}
	return n, errors.Join(errs...)
}

// Len returns the number of subscriptions.
func (b *Broker[M]) Len() int { return len(b.subs) }
