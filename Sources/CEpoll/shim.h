// epoll(7), which the Glibc module does not export.
#pragma once
#include <sys/epoll.h>
