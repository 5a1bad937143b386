//go:build linux && (mips || mipsle || mips64 || mips64le)

package stream

// sysEpollPwait2 is 0: the poller uses epoll_wait's milliseconds.
const sysEpollPwait2 = 0
