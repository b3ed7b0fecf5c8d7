#!/usr/bin/env bash
# The application suite and the held-out programs beside their OpenCV twins, in one interleaved run:
# see bench/suite.py (this is its shell name). Writes build/suite/suite.json and suite.html.
#   bench/suite.sh                        # every program
#   bench/suite.sh harris blur            # some
#   bench/suite.sh --autoschedulers       # with Mullapudi2016 and Adams2019
exec python3 "$(dirname "$0")/suite.py" "$@"
