// Package cputime reads the process's CPU time, for the benchmarks.
package cputime
