// CReadline: GNU readline and its history library, as a Swift module.
#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>
