"""Build the minimal Docker image the docker sandbox runs: the host's own Python, no registry.

`python -m tracer.sandbox.image` (console script `build-sandbox-image`) packs the running
interpreter, its standard library (without site-packages, tests and GUI modules), the
shared libraries `ldd` lists for it and its extension modules, and /etc/passwd with a
non-root `sandbox` user (uid 1000) into a tar, then `docker import`s it as
blueberry-sandbox:latest. The project's sandbox code is not copied: the container mounts
the project's `tracer/` read-only at /opt/blueberry/tracer.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from pathlib import Path

DEFAULT_TAG = "blueberry-sandbox:latest"
IMAGE_PYTHON = "/usr/local/bin/python3"
SANDBOX_UID = 1000
SKIPPED_STDLIB_DIRS = {
    "site-packages", "test", "tests", "idlelib", "tkinter", "turtledemo", "ensurepip",
    "lib2to3", "pydoc_data",
}
_LDD_PATH = re.compile(r"(/\S+)")


def shared_libraries(binary: str) -> set[str]:
    """Absolute paths of the shared libraries (and loader) that `ldd binary` lists."""
    try:
        out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        raise SystemExit("build-sandbox-image: `ldd` is needed to find the shared libraries") from None
    found = set()
    for line in out.splitlines():
        if "=>" in line:
            line = line.split("=>", 1)[1]
        match = _LDD_PATH.search(line)
        if match and os.path.exists(match.group(1)):
            found.add(match.group(1))
    return found


def image_files() -> tuple[str, list[str]]:
    """Return (the interpreter's real path, every file the image needs)."""
    python = os.path.realpath(sys.executable)
    stdlib = sysconfig.get_paths()["stdlib"]
    files = {python}
    libraries = shared_libraries(python)
    for directory, subdirs, names in os.walk(stdlib):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_STDLIB_DIRS
                            and not d.startswith("config-"))
        for name in sorted(names):
            path = os.path.join(directory, name)
            files.add(path)
            if name.endswith(".so"):
                libraries |= shared_libraries(path)
    return python, sorted(files | libraries)


def _dir_entry(name: str, mode: int = 0o755) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode = tarfile.DIRTYPE, mode
    return info


def _text_entry(tar: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o644
    tar.addfile(info, io.BytesIO(data))


def write_rootfs(tar_path: str) -> int:
    """Write the root filesystem tar; return the number of files packed."""
    python, files = image_files()
    dirs = {"tmp", "dev", "proc", "sys", "etc", "opt", "opt/blueberry", "usr/local/bin"}
    for path in files:
        parent = Path(path).parent
        while str(parent) != "/":
            dirs.add(str(parent).lstrip("/"))
            parent = parent.parent
    with tarfile.open(tar_path, "w") as tar:
        for name in sorted(dirs):
            # 0755 everywhere, /root included, so the sandbox user can reach the interpreter.
            tar.addfile(_dir_entry(name, 0o1777 if name == "tmp" else 0o755))
        for path in files:
            info = tar.gettarinfo(os.path.realpath(path), arcname=path.lstrip("/"))
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            with open(os.path.realpath(path), "rb") as handle:
                tar.addfile(info, handle)
        link = tarfile.TarInfo(IMAGE_PYTHON.lstrip("/"))
        link.type, link.linkname = tarfile.SYMTYPE, python
        tar.addfile(link)
        _text_entry(tar, "etc/passwd", "root:x:0:0:root:/root:/sbin/nologin\n"
                    f"sandbox:x:{SANDBOX_UID}:{SANDBOX_UID}:sandbox:/tmp:/sbin/nologin\n")
        _text_entry(tar, "etc/group", f"root:x:0:\nsandbox:x:{SANDBOX_UID}:\n")
    return len(files)


def build_image(tag: str = DEFAULT_TAG) -> str:
    """Build the root filesystem and `docker import` it as `tag`; return the image id."""
    import docker

    repository, _, version = tag.partition(":")
    client = docker.from_env()
    with tempfile.TemporaryDirectory(prefix="blueberry-image-") as tmp:
        tar_path = os.path.join(tmp, "rootfs.tar")
        count = write_rootfs(tar_path)
        changes = [f"USER {SANDBOX_UID}", "WORKDIR /tmp", f'CMD ["{IMAGE_PYTHON}"]']
        client.api.import_image_from_file(tar_path, repository=repository,
                                          tag=version or "latest", changes=changes)
    image = client.images.get(tag)
    print(f"built {tag} ({image.short_id}): {count} files, "
          f"{image.attrs.get('Size', 0) / 1e6:.0f} MB")
    return image.id


def main(argv: list[str] | None = None) -> None:
    """Command line: build the sandbox image (exit 2 with one line if Docker is not up)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", default=DEFAULT_TAG, help="image name:tag to create")
    args = parser.parse_args(argv)
    try:
        build_image(args.tag)
    except Exception as exc:  # docker.errors.* and OSError: one line for people
        if isinstance(exc, SystemExit):
            raise
        print(f"build-sandbox-image: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
              " (is dockerd running? try .ci/start-dockerd.sh)", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
