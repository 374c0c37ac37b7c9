# A context manager that suppresses one error.
# input: 
class Ignore:
    def __init__(self, kind):
        self.kind = kind
        self.caught = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, self.kind):
            self.caught = str(exc)
            return True
        return False

def f():
    with Ignore(IndexError) as ig:
        [][3]
    return ig.caught
