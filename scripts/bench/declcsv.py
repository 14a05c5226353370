#!/usr/bin/env python3
"""A self-declaration import file for measuring `sidi import declarations`:
python3 scripts/bench/declcsv.py ROWS [FIRST_ENTERPRISE] > FILE.csv (enterprises of two
declarations of two products each, valid GB 32100 credit codes; the same shape as
BenchmarkDeclImport's declBenchCSV)."""
import random, sys
CH="0123456789ABCDEFGHJKLMNPQRTUWXY"
W=[1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28]
def credit(n):
    body="9163%04d" % (n%10000)
    body="91630100"+("MA%07d" % n)
    body=body[:17]
    s=sum(CH.index(c)*w for c,w in zip(body,W))
    c=31-s%31
    return body+CH[0 if c==31 else c]
rows=int(sys.argv[1]); random.seed(1); off=int(sys.argv[2]) if len(sys.argv)>2 else 0
stds=["GB 2721—2015,食品安全国家标准 食用盐","GB 19301—2010,食品安全国家标准 生乳","GB/T 20886.1—2021,食品加工用酵母","GB 2760—2024,食品安全国家标准 食品添加剂使用标准","GB 7718—2011,食品安全国家标准 预包装食品标签通则"]
print("统一社会信用代码,企业名称,标准号,标准名称,产品名称,规格型号,产品类别,声明日期")
n=0; e=off
while n<rows:
    e+=1
    c=credit(e)
    for si in range(2):
        std=stds[(e+si)%len(stds)]
        for p in range(2):
            if n>=rows: break
            print(f"{c},青海测试企业{e}有限公司,{std},产品{e}-{si}-{p},{p+1}00 g,食品,2024-05-01")
            n+=1
