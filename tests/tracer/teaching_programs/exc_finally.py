# try/finally runs the cleanup, even on return.
# input: 
def f():
    log = []
    def work(n):
        try:
            log.append(f"start {n}")
            if n == 2:
                return "early"
            return n * 10
        finally:
            log.append(f"end {n}")
    results = [work(1), work(2)]
    return results, log
