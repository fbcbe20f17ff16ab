name = 'corp'
version = '1.0'
requires = ['foo>=1', 'bar==2', 'baz<3', 'qux-1+<2', 'a-1|2', 'b-1.0+', '~c-1', '!d', '.e-1', 'f@1', 'g#1', 'h-', 'i-1..2', 'j-==1.0', 'k>1']
