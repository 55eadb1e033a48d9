Hello, ${name}!
%{ for s in items ~}
- ${s}
%{ endfor ~}
