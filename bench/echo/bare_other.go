//go:build !linux

package main

import "errors"

func serveBare(func(string), <-chan struct{}) error {
	return errors.New("the bare epoll server is Linux's")
}

func serveBareTasks(func(string), <-chan struct{}) error {
	return errors.New("the bare epoll server is Linux's")
}
