#!/usr/bin/env bash
# Makes the pinned official test suites available as testsuite/official/wasm-3.0 and
# testsuite/official/wasm-2.0 (symlinks, never copies into commits).
#
# Uses ../shared/wasm-testsuite and ../shared/wasm-testsuite-2.0 beside the checkout when present
# (checking that their PIN names the pinned commit); otherwise clones the pinned commits.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shared=$(cd "$here/../.." && pwd)/shared
mkdir -p "$here/official"

link_or_clone() {
    local name=$1 dir=$2
    local commit
    commit=$(awk -v n="$name" '$1 == n {print $2}' "$here/PIN")
    if [ -d "$dir" ] && grep -q "commit: $commit" "$dir/PIN" 2>/dev/null; then
        ln -sfn "$dir" "$here/official/$name"
    elif [ -d "$here/official/$name/.git" ]; then
        git -C "$here/official/$name" checkout -q "$commit"
    else
        rm -f "$here/official/$name"
        git clone -q https://github.com/WebAssembly/testsuite "$here/official/$name"
        git -C "$here/official/$name" checkout -q "$commit"
    fi
    echo "$name: $(readlink -f "$here/official/$name") @ $commit"
}

link_or_clone wasm-3.0 "$shared/wasm-testsuite"
link_or_clone wasm-2.0 "$shared/wasm-testsuite-2.0"
