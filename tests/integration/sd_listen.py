#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Plays systemd's side of sd_notify(3): binds a Unix datagram socket at PATH and
writes each message received to stdout as one line, its fields separated by '|'.

Usage: sd_listen.py PATH (stops on SIGTERM).
"""
import os
import socket
import sys

path = sys.argv[1]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
# Ready: the caller waits for the socket file before it starts the notifier.
while True:
    msg = sock.recv(4096)
    sys.stdout.write("|".join(msg.decode().strip("\n").split("\n")) + "\n")
    sys.stdout.flush()
