# A dataclass, sorted by a key.
# input: 
from dataclasses import dataclass

@dataclass
class Pupil:
    name: str
    grade: int

def f():
    pupils = [Pupil("Ada", 90), Pupil("Bo", 72), Pupil("Cy", 85)]
    pupils.sort(key=lambda p: -p.grade)
    return [p.name for p in pupils], pupils[0]
