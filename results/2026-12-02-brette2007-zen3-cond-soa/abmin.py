import json,subprocess,sys,os,shlex,statistics
a,b=sys.argv[1],sys.argv[2]; n=int(sys.argv[3]); args=shlex.split(os.environ["AB_ARGS"])
res={a:[],b:[]}; dig=set()
for r in range(n):
    for x in ((a,b) if r%2==0 else (b,a)):
        subprocess.run([x,*args,"--record-to","none","--quiet","--json","/tmp/abmin.json"],stdout=subprocess.DEVNULL,check=True)
        d=json.load(open("/tmp/abmin.json")); res[x].append(d["time_simulate"]); dig.add(d["spike_digest"])
for x in (a,b): print(x, "min %.3f med %.3f"%(min(res[x]),statistics.median(res[x])))
print("B/A min %.3f med %.3f"%(min(res[b])/min(res[a]), statistics.median(res[b])/statistics.median(res[a])), dig)
