# A property with a setter check.
# input: 25
class Temperature:
    def __init__(self, celsius):
        self.celsius = celsius

    @property
    def fahrenheit(self):
        return self.celsius * 9 / 5 + 32

    @fahrenheit.setter
    def fahrenheit(self, value):
        self.celsius = (value - 32) * 5 / 9

def f(c):
    t = Temperature(c)
    before = t.fahrenheit
    t.fahrenheit = 212
    return before, t.celsius
