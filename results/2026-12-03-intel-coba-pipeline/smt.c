#include <immintrin.h>
#include <stdio.h>
#include <pthread.h>
#include <time.h>
#include <stdlib.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
void* work(void* arg){
  __m512d a[16]; __m512d m=_mm512_set1_pd(0.999999), c=_mm512_set1_pd(1e-7);
  for(int i=0;i<16;i++) a[i]=_mm512_set1_pd(i);
  long n=(long)arg;
  for(long k=0;k<n;k++){ for(int i=0;i<16;i++) a[i]=_mm512_fmadd_pd(a[i],m,c); }
  double s=0; for(int i=0;i<8;i++){ double t[8]; _mm512_storeu_pd(t,a[i]); s+=t[0]; }
  return (void*)(long)(s>1e300);
}
int main(int argc,char**argv){
  int nt=atoi(argv[1]); long n=400000000L/8;
  pthread_t th[4]; double t0=now();
  for(int i=0;i<nt;i++) pthread_create(&th[i],0,work,(void*)n);
  for(int i=0;i<nt;i++) pthread_join(th[i],0);
  double dt=now()-t0; printf("threads %d: %.3f s, %.2f Gfma-vec/s per thread\n",nt,dt,n*8/dt/1e9);
}
