//go:build !linux

package project

import "errors"

func openDirFD(string) int { return -1 }

func closeDirFD(int) {}

func readFileAt(int, string, []byte) ([]byte, error) { return nil, errors.ErrUnsupported }

func statAt(int, string) (fileStamp, error) { return fileStamp{}, errors.ErrUnsupported }
