package stream

// A stream is gone, and WaitClosed returns, once its link is closed and
// every goroutine working on it has ended. Transports start goroutines with
// goStart and goDone, and call linkClosed when they have closed the link.

// goStart counts a goroutine of the stream that is about to start. It
// reports false, and the goroutine must not start, once the loop is closing.
// The goroutines of a link that cannot be interrupted (one without Close)
// are not counted: nothing could end them.
func (s *Stream) goStart() bool {
	if !s.link.tracked() {
		return true
	}
	if !s.reg.goStart(s.link.conn != nil) {
		return false
	}
	s.life.Lock()
	s.life.live++
	s.life.Unlock()
	return true
}

// goDone is deferred by every goroutine of the stream.
func (s *Stream) goDone() {
	if !s.link.tracked() {
		return
	}
	s.life.Lock()
	s.life.live--
	post := s.life.tclosed && s.life.live == 0 && !s.life.posted
	if post {
		s.life.posted = true
	}
	s.life.Unlock()
	if post {
		s.loop.CallSoonThreadsafe(s.onGone)
	}
	s.reg.goDone(s.link.conn != nil)
}

// linkClosed records that the link is closed. Any goroutine may call it.
func (s *Stream) linkClosed() {
	s.life.Lock()
	if s.life.tclosed {
		s.life.Unlock()
		return
	}
	s.life.tclosed = true
	post := s.life.live == 0 && !s.life.posted
	if post {
		s.life.posted = true
	}
	s.life.Unlock()
	if post {
		s.loop.CallSoonThreadsafe(s.onGone)
	}
}

func (s *Stream) isGone() bool {
	s.life.Lock()
	defer s.life.Unlock()
	return s.life.tclosed && s.life.live == 0
}

// setGone runs on the loop once the link is closed and the goroutines have
// ended.
func (s *Stream) setGone() {
	if s.gone {
		return
	}
	s.gone = true
	s.goneEv.Set()
	s.reg.remove(&s.link)
	if s.push != nil {
		s.push.lostLink()
	}
}
