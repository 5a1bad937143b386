package mqtt

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ValidTopic checks a topic name to publish to: not empty, at most 65535
// bytes of UTF-8 without NUL, and without the wildcards + and #. The error
// matches ErrBadTopic.
func ValidTopic(topic string) error {
	if err := validString(topic); err != nil {
		return err
	}
	if strings.ContainsAny(topic, "+#") {
		return fmt.Errorf("%w: %q: wildcards are for subscriptions", ErrBadTopic, topic)
	}
	return nil
}

// ValidFilter checks a topic filter to subscribe to: the rules of
// ValidTopic, except that + may stand for one whole level and # for every
// level from there on, as the last level. The error matches ErrBadTopic.
func ValidFilter(filter string) error {
	if err := validString(filter); err != nil {
		return err
	}
	levels := strings.Split(filter, "/")
	for i, l := range levels {
		switch {
		case l == "#" && i != len(levels)-1:
			return fmt.Errorf("%w: %q: # must be the last level", ErrBadTopic, filter)
		case len(l) > 1 && strings.ContainsAny(l, "+#"):
			return fmt.Errorf("%w: %q: a wildcard must be a whole level", ErrBadTopic, filter)
		}
	}
	return nil
}

func validString(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%w: empty", ErrBadTopic)
	case len(s) > 65535:
		return fmt.Errorf("%w: %d bytes, the limit is 65535", ErrBadTopic, len(s))
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %q is not UTF-8", ErrBadTopic, s)
	case strings.IndexByte(s, 0) >= 0:
		return fmt.Errorf("%w: %q contains NUL", ErrBadTopic, s)
	}
	return nil
}

// Match reports whether topic matches filter, with MQTT's wildcards: + is
// one level, # the rest (the parent level included: "a/#" matches "a").
// Topics beginning with $ (the broker's, like "$SYS/...") are not matched
// by a filter that begins with a wildcard.
func Match(filter, topic string) bool {
	if strings.HasPrefix(topic, "$") && (strings.HasPrefix(filter, "+") || strings.HasPrefix(filter, "#")) {
		return false
	}
	for {
		f, frest, fmore := strings.Cut(filter, "/")
		t, trest, tmore := strings.Cut(topic, "/")
		switch {
		case f == "#":
			return true
		case f != "+" && f != t:
			return false
		case !fmore && !tmore:
			return true
		case !tmore:
			return frest == "#" // "a/#" matches "a"
		case !fmore:
			return false
		}
		filter, topic = frest, trest
	}
}
