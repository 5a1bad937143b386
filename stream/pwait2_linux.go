//go:build linux && !mips && !mipsle && !mips64 && !mips64le

package stream

// sysEpollPwait2 is epoll_pwait2's number, the same on every architecture
// but MIPS.
const sysEpollPwait2 = 441
